import type { Catalog } from '../domain/catalog.js'
import { availableOf, stockView, type ProductStock } from '../domain/product.js'
import type { CartLine } from '../store/store.js'

/**
 * A product's stock as the classic, one-product API has always answered it: what is left, of how many, at
 * which version, in which epoch.
 */
export const classicStock = (product: ProductStock, epoch: string) => ({
  inventoryCount: availableOf(product),
  totalInventory: product.onHand,
  version: product.version,
  epoch,
})

/** In how many seconds a hold lapses, from now; null for none. Relative, so that a client's clock does not matter. */
export const secondsUntil = (until: number | null, now: number): number | null =>
  until === null ? null : Math.max(0, Math.ceil((until - now) / 1000))

/** A cart line as clients are sent it. */
export const lineBody = ({ sku, quantity, holdUntil, lapsed, product }: CartLine, now: number) => ({
  sku,
  quantity,
  holdExpiresInSeconds: secondsUntil(holdUntil, now),
  lapsed,
  product: stockView(product),
})

/** Products of the catalog as clients are sent them, with the epoch and version they are of. */
export const catalogBody = ({ epoch, version, products }: Catalog) => ({
  epoch,
  version,
  products: products.map(stockView),
})
