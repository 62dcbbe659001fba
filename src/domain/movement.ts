import type { ProductStock } from './product.js'

/**
 * Every way a product's `onHand` or `held` moves: a hold taken or let go by its session, a hold that lapsed,
 * a sale, a restock, an adjustment (a count, a shrink), an order cancelled.
 */
export const MOVEMENT_KINDS = ['hold', 'release', 'expire', 'sale', 'restock', 'adjust', 'cancel'] as const
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
   * adjustment and a cancel; both for a sale.
   */
  readonly quantity: number
  /** The session that moved it, or `admin`. */
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
 * Replays the ledger from the start, in order: every product's counters begin at 0 and each movement moves
 * them by its effect, which must give the counters it recorded; at the end, every product's counters must
 * be what the replay gives (a product no movement touched, 0 and 0). Gives the first divergence, or none.
 */
export function replay(movements: Iterable<Movement>, products: Iterable<ProductStock>): Divergence | undefined {
  const counters = new Map<string, { onHand: number; held: number }>()
  let expected = 1
  for (const movement of movements) {
    const before = counters.get(movement.sku) ?? { onHand: 0, held: 0 }
    const effect = effectOf(movement)
    const after = { onHand: before.onHand + effect.onHand, held: before.held + effect.held }
    const recorded = { onHand: movement.onHand, held: movement.held }
    if (movement.seq !== expected++ || after.onHand !== recorded.onHand || after.held !== recorded.held) {
      return { sku: movement.sku, seq: movement.seq, replayed: after, recorded }
    }
    counters.set(movement.sku, after)
  }
  for (const { sku, onHand, held } of products) {
    const replayed = counters.get(sku) ?? { onHand: 0, held: 0 }
    if (replayed.onHand !== onHand || replayed.held !== held) return { sku, replayed, recorded: { onHand, held } }
  }
  return undefined
}
