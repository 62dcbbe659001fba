import { decideLine, type CartRequest, type CartRules, type Refusal } from './cart-rules.js'
import type { ProductDefinition, ProductStock } from './product.js'
import { UnknownProductError } from './unknown-product-error.js'

/** When a hold never lapses: expiry is turned off. */
export const NEVER = Number.POSITIVE_INFINITY

/** One session's units of one product, and until when they are held. */
export interface Line {
  readonly sku: string
  readonly quantity: number
  /** The instant (ms) the hold lapses, `NEVER` without expiry. */
  readonly until: number
}

/** A cart action for one line: who, which product, what, and from which client address. */
export interface LineCommand {
  readonly session: string
  readonly sku: string
  readonly request: CartRequest
  readonly address?: string | undefined
}

export type LineOutcome =
  | { readonly ok: true; readonly line: Line; readonly product: ProductStock; readonly changed: boolean }
  | ({ readonly ok: false; readonly product: ProductStock } & Refusal)

interface HeldLine {
  quantity: number
  until: number
  readonly address: string | undefined
}

/** A product with the lines that hold it, kept together. */
interface Shelf {
  stock: ProductStock
  /** By session. */
  readonly lines: Map<string, HeldLine>
  /** The units the lines of each client address hold, for addresses that named themselves. */
  readonly byAddress: Map<string, number>
}

/**
 * A shop's catalog and every cart's lines: the rules of the stock, applied in one place. Every operation
 * that changes a product's `held` (or, later, `onHand`) moves the catalog's version by exactly one, and
 * gives every product it changed that version; one that changes nothing keeps it. Time is given, never read:
 * a hold lasts until the instant its action names, and `expire(now)` returns every hold that is over.
 *
 * It is synchronous and keeps its state in place, so each operation is atomic wherever it runs; a store
 * that must be atomic across processes applies the same rules in its own way (Lua in Redis), and the store
 * contract suite holds them to the same answers.
 */
export class Stockroom {
  #version = 0
  /** In catalog order. */
  readonly #shelves = new Map<string, Shelf>()
  /** Each session's lines, by SKU: an index of the lines the shelves hold. */
  readonly #carts = new Map<string, Set<string>>()

  constructor(
    catalog: readonly ProductDefinition[],
    readonly rules: CartRules,
  ) {
    for (const { sku, name, onHand } of catalog) {
      this.#shelves.set(sku, {
        stock: { sku, name, onHand, held: 0, version: 0 },
        lines: new Map(),
        byAddress: new Map(),
      })
    }
  }

  get version(): number {
    return this.#version
  }

  /** Every product, in catalog order. */
  products(): ProductStock[] {
    return [...this.#shelves.values()].map((shelf) => shelf.stock)
  }

  /** One product; throws `UnknownProductError` for a SKU the catalog lacks. */
  product(sku: string): ProductStock {
    return this.#shelf(sku).stock
  }

  /** The session's lines, in catalog order. */
  linesOf(session: string): Line[] {
    const skus = this.#carts.get(session)
    if (!skus) return []
    return [...this.#shelves.values()].flatMap(({ stock, lines }) => {
      const line = skus.has(stock.sku) ? lines.get(session) : undefined
      return line ? [{ sku: stock.sku, quantity: line.quantity, until: line.until }] : []
    })
  }

  /**
   * Sets one line as `command` asks, held until `until`. Any action of the session on the product renews
   * the hold it keeps; a line set to 0 is gone. A refusal changes nothing.
   */
  apply({ session, sku, request, address }: LineCommand, until: number): LineOutcome {
    const shelf = this.#shelf(sku)
    const held = shelf.lines.get(session)
    const heldByAddress = address === undefined ? 0 : (shelf.byAddress.get(address) ?? 0)
    const decision = decideLine({ product: shelf.stock, held: held?.quantity ?? 0, heldByAddress }, request, this.rules)
    if (!('quantity' in decision)) return { ok: false, product: shelf.stock, ...decision }

    const { quantity } = decision
    const delta = quantity - (held?.quantity ?? 0)
    countByAddress(shelf, held?.address ?? address, delta)
    if (quantity === 0) {
      shelf.lines.delete(session)
      this.#carts.get(session)?.delete(sku)
    } else if (held) {
      held.quantity = quantity
      held.until = until
    } else {
      shelf.lines.set(session, { quantity, until, address })
      this.#carts.set(session, (this.#carts.get(session) ?? new Set()).add(sku))
    }
    if (delta !== 0) this.#change([[shelf, delta]])
    return {
      ok: true,
      line: { sku, quantity, until: quantity === 0 ? NEVER : until },
      product: shelf.stock,
      changed: delta !== 0,
    }
  }

  /** Returns to stock every hold that ends at or before `now`, as one change; gives the products it changed. */
  expire(now: number): ProductStock[] {
    const freed: [Shelf, number][] = []
    for (const shelf of this.#shelves.values()) {
      let units = 0
      for (const [session, line] of shelf.lines) {
        if (line.until > now) continue
        units += line.quantity
        countByAddress(shelf, line.address, -line.quantity)
        shelf.lines.delete(session)
        this.#carts.get(session)?.delete(shelf.stock.sku)
      }
      if (units > 0) freed.push([shelf, -units])
    }
    return this.#change(freed)
  }

  #shelf(sku: string): Shelf {
    const shelf = this.#shelves.get(sku)
    if (!shelf) throw new UnknownProductError(sku)
    return shelf
  }

  /** Moves `held` of each shelf by its delta, all at one new version; nothing, and no new version, for none. */
  #change(deltas: readonly (readonly [Shelf, number])[]): ProductStock[] {
    if (deltas.length === 0) return []
    const version = ++this.#version
    return deltas.map(([shelf, delta]) => (shelf.stock = { ...shelf.stock, held: shelf.stock.held + delta, version }))
  }
}

function countByAddress({ byAddress }: Shelf, address: string | undefined, delta: number): void {
  if (address === undefined || delta === 0) return
  const units = (byAddress.get(address) ?? 0) + delta
  if (units === 0) byAddress.delete(address)
  else byAddress.set(address, units)
}
