import type { Movement } from '../domain/movement.js'
import type { StockLevel } from '../domain/stock-display.js'
import {
  eventTypesOf,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookProgress,
} from '../domain/webhook-event.js'
import type { StockRepository } from '../store/store.js'

/** What one read of the ledger gives: the events in it still to send, and how far it read. */
export interface EventPage {
  readonly events: readonly WebhookEvent[]
  /** The last movement read: once the events are sent, progress moves to it. */
  readonly through: number
  /** Whether the ledger goes on past it. */
  readonly more: boolean
}

/** How many movements one read of the ledger takes. */
export const MOVEMENTS_PER_READ = 500

/** The webhook events still to send, worked out from the ledger, the outbox they are kept in (see `WebhookLog`). */
export class WebhookEvents {
  constructor(
    private readonly repository: StockRepository,
    private readonly levelOf: (available: number) => StockLevel,
  ) {}

  /** The events after `progress`, of at most `limit` movements, in the order they are sent. */
  async after(progress: WebhookProgress, limit = MOVEMENTS_PER_READ): Promise<EventPage> {
    // The movement before the first is read too: an order's lines are movements in a row, and only the first
    // tells of the order.
    const from = Math.max(0, progress.seq - 1)
    const asked = limit + progress.seq - from
    const read = await this.repository.movements({ after: from, limit: asked })
    const { epoch } = await this.repository.catalog([])
    const events: WebhookEvent[] = []
    let previous: Movement | undefined
    let through = progress.seq
    for (const movement of read) {
      if (movement.seq > progress.seq) {
        const types = eventTypesOf(movement, previous, this.levelOf)
        const first = movement.seq === progress.seq + 1 ? progress.sent : 0
        for (let index = first; index < types.length; index++) {
          events.push(await this.#event(`${epoch}.${movement.seq}.${index}`, index, types[index]!, movement))
        }
        through = movement.seq
      }
      previous = movement
    }
    return { events, through, more: read.length === asked }
  }

  async #event(id: string, index: number, type: WebhookEventType, movement: Movement): Promise<WebhookEvent> {
    const order =
      movement.orderId !== null && type.startsWith('order.') ? await this.repository.order(movement.orderId) : undefined
    if (!order) return { id, index, type, movement }
    // The order as this event left it: a later cancel is an event of its own.
    return { id, index, type, movement, order: { ...order, status: type === 'order.created' ? 'placed' : 'cancelled' } }
  }
}
