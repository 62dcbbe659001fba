/** A product as the shop lists it: what it is, and how many units it has. */
export interface ProductDefinition {
  /** 1 to 64 of A-Z a-z 0-9 _ - (`TOKEN`). */
  readonly sku: string
  readonly name: string
  /** The units the shop has, held ones included. */
  readonly onHand: number
}

/** A product's stock at one version of the catalog. */
export interface ProductStock extends ProductDefinition {
  /** The units in carts: the sum of every cart line of the product. */
  readonly held: number
  /** The catalog's version when this product last changed. */
  readonly version: number
  /**
   * When the first of its holds that lapse will lapse, in ms since the Unix epoch; absent while none will.
   * Kept with the product, so that a renewal that moves it is a change like any other.
   */
  readonly nextLapse?: number
  /**
   * Archived by the admin: no longer sold. It takes no new holds; the lines carts have of it, its orders and
   * its ledger stay. Absent while it is sold.
   */
  readonly archived?: true
  /**
   * The catalog's version when a sale made elsewhere last took units from carts' holds of it; absent until one
   * has. It travels with the stock, so that a shopper's client hears of the take as of any change, and reads
   * its cart again to learn whether its own hold was taken from.
   */
  readonly holdsTakenAt?: number
}

/**
 * The most units one product may have on hand, on every path that moves it (the catalog file, the admin's
 * put, restocks, cancelled orders) and in every store: well inside what each keeps exactly, Redis's Lua
 * included, whose JSON encoder writes 14 significant digits.
 */
export const MAX_ON_HAND = 1_000_000_000

/** What is left to put in a cart; never below zero, even if `onHand` was cut below what is held. */
export const availableOf = ({ onHand, held }: Pick<ProductStock, 'onHand' | 'held'>): number =>
  Math.max(0, onHand - held)

/** A product's stock as clients are sent it: with `available` spelled out. */
export const stockView = (product: ProductStock) => ({
  sku: product.sku,
  name: product.name,
  onHand: product.onHand,
  held: product.held,
  available: availableOf(product),
  version: product.version,
  ...(product.archived && { archived: true as const }),
  ...(product.holdsTakenAt !== undefined && { holdsTakenAt: product.holdsTakenAt }),
})

export type StockView = ReturnType<typeof stockView>

/** The one product of a shop without a catalog file: the classic example's. */
export const DEFAULT_PRODUCT: ProductDefinition = { sku: 'default', name: 'The Limited Edition', onHand: 10 }
