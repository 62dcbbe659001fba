import type { ProductStock } from './product.js'

/**
 * Every way a product's `onHand` or `held` moves: a hold taken or let go by its session, a hold that lapsed,
 * a sale, units of a hold taken by a sale made elsewhere, a restock, an adjustment (a count, a shrink), an order
 * cancelled.
 */
export const MOVEMENT_KINDS = ['hold', 'release', 'expire', 'sale', 'take', 'restock', 'adjust', 'cancel'] as const
export type MovementKind = (typeof MOVEMENT_KINDS)[number]

/** Who moved stock that no session moved. */
export const ADMIN = 'admin'

/** One entry of the ledger: one change to one product's counters, written in the same step as the change. */
export interface Movement {
  /** Its place in the ledger: 1, 2, 3… with no gaps. */
  readonly seq: number
  /** When, in ms since the Unix epoch. */
  readonly time: number
  readonly sku: string
  readonly kind: MovementKind
  /**
   * How much it moved, signed: `held` for a hold, a release and an expiry; `onHand` for a restock, an
   * adjustment and a cancel; both for a sale and a take.
   */
  readonly quantity: number
  /** The session that moved it, or `admin`; for a take, the session whose hold it took from. */
  readonly actor: string
  readonly orderId: string | null
  readonly idempotencyKey: string | null
  /** Why an admin moved it, when they said. */
  readonly reason: string | null
  /** The product's counters after it. */
  readonly onHand: number
  readonly held: number
}

/** What a movement does to the counters it moves. */
export function effectOf({ kind, quantity }: Pick<Movement, 'kind' | 'quantity'>): { onHand: number; held: number } {
  switch (kind) {
    case 'hold':
    case 'release':
    case 'expire':
      return { onHand: 0, held: quantity }
    case 'sale':
    case 'take':
      return { onHand: quantity, held: quantity }
    case 'restock':
    case 'adjust':
    case 'cancel':
      return { onHand: quantity, held: 0 }
  }
}

/** Where replaying the ledger first disagrees with what it recorded, or with a product's counters. */
export interface Divergence {
  readonly sku: string
  /** The movement that disagrees; absent when the ledger agrees with itself but not with the product. */
  readonly seq?: number
  readonly replayed: { readonly onHand: number; readonly held: number }
  readonly recorded: { readonly onHand: number; readonly held: number }
}

/**
 * The ledger replayed from the start, one movement at a time, in order: every product's counters begin at 0 and
 * each movement moves them by its effect, which must give the counters it recorded. It keeps each product's
 * counters and nothing else, so a ledger of any length is replayed in the memory of its catalog.
 */
export class LedgerReplay {
  readonly #counters = new Map<string, { onHand: number; held: number }>()
  #expected = 1

  /** Replays the next movement: the divergence, when this is where the ledger first disagrees with itself. */
  take(movement: Movement): Divergence | undefined {
    const before = this.#counters.get(movement.sku) ?? { onHand: 0, held: 0 }
    const effect = effectOf(movement)
    const after = { onHand: before.onHand + effect.onHand, held: before.held + effect.held }
    const recorded = { onHand: movement.onHand, held: movement.held }
    if (movement.seq !== this.#expected++ || after.onHand !== recorded.onHand || after.held !== recorded.held) {
      return { sku: movement.sku, seq: movement.seq, replayed: after, recorded }
    }
    this.#counters.set(movement.sku, after)
    return undefined
  }

  /**
   * Compares the replay so far with every product's counters, taken when the last movement replayed was the
   * ledger's last (a product no movement touched has 0 and 0): the first that differs, or none.
   */
  compare(products: Iterable<ProductStock>): Divergence | undefined {
    for (const { sku, onHand, held } of products) {
      const replayed = this.#counters.get(sku) ?? { onHand: 0, held: 0 }
      if (replayed.onHand !== onHand || replayed.held !== held) return { sku, replayed, recorded: { onHand, held } }
    }
    return undefined
  }
}

/** Replays a whole ledger against every product's counters (see `LedgerReplay`): the first divergence, or none. */
export function replay(movements: Iterable<Movement>, products: Iterable<ProductStock>): Divergence | undefined {
  const ledger = new LedgerReplay()
  for (const movement of movements) {
    const divergence = ledger.take(movement)
    if (divergence) return divergence
  }
  return ledger.compare(products)
}
