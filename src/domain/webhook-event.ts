import { effectOf, type Movement } from './movement.js'
import type { Order } from './order.js'
import { availableOf } from './product.js'
import type { StockLevel } from './stock-display.js'

/** What the shop's own systems hear of, by webhook. */
export const WEBHOOK_EVENT_TYPES = [
  'stock.low',
  'stock.sold_out',
  'stock.back_in_stock',
  'stock.adjusted',
  'order.created',
  'order.cancelled',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/**
 * One event: the `index`th that a movement of the ledger gives rise to, with the order it tells of, as the
 * event left it. Its `id` stays the same on every attempt, so that a receiver that hears it twice can tell.
 */
export interface WebhookEvent {
  readonly id: string
  readonly index: number
  readonly type: WebhookEventType
  readonly movement: Movement
  readonly order?: Order
}

/** An event the sender gave up on, kept until it is sent again by hand. */
export interface FailedWebhook {
  readonly event: WebhookEvent
  readonly attempts: number
  readonly lastError: string
  /** When it was given up on, or last tried by hand, in ms since the Unix epoch. */
  readonly failedAt: number
}

/** How far the sender has got through the ledger, and how the event it is at has fared. */
export interface WebhookProgress {
  /** The last movement whose events were all sent, or given up on. */
  readonly seq: number
  /** How many events of the movement after it were. */
  readonly sent: number
  /** Failed attempts at the next event. */
  readonly attempts: number
  /** When its first attempt failed; null while none has. */
  readonly failingSince: number | null
  readonly nextAttemptAt: number | null
  readonly lastError: string | null
}

/** Progress at the end of the ledger up to `seq`, with no attempt pending. */
export const progressAt = (seq: number): WebhookProgress => ({
  seq,
  sent: 0,
  attempts: 0,
  failingSince: null,
  nextAttemptAt: null,
  lastError: null,
})

const stockKinds = new Set<Movement['kind']>(['restock', 'adjust'])

/**
 * The events one movement gives rise to, in the order they are sent, given the movement before it (an order's
 * lines are movements in a row: only the first tells of the order) and the level shoppers see a count at:
 *
 * - `order.created` and `order.cancelled`, on the first movement of a checkout's sale or an order's cancel;
 * - `stock.adjusted`, on an admin's restock or adjustment;
 * - `stock.sold_out`, `stock.back_in_stock` and `stock.low`, when what is available crosses into that level.
 */
export function eventTypesOf(
  movement: Movement,
  previous: Movement | undefined,
  levelOf: (available: number) => StockLevel,
): WebhookEventType[] {
  const types: WebhookEventType[] = []
  const { kind, orderId } = movement
  const startsOrder = orderId !== null && (previous?.orderId !== orderId || previous.kind !== kind)
  if (startsOrder && kind === 'sale') types.push('order.created')
  if (startsOrder && kind === 'cancel') types.push('order.cancelled')
  if (stockKinds.has(kind)) types.push('stock.adjusted')
  const effect = effectOf(movement)
  const before = levelOf(availableOf({ onHand: movement.onHand - effect.onHand, held: movement.held - effect.held }))
  const after = levelOf(availableOf(movement))
  if (after !== before) {
    if (after === 'sold_out') types.push('stock.sold_out')
    else if (before === 'sold_out') types.push('stock.back_in_stock')
    else if (after === 'low') types.push('stock.low')
  }
  return types
}
