import { progressAt, type FailedWebhook, type WebhookProgress } from '../domain/webhook-event.js'

/**
 * Where the webhook sender keeps how far it has got through the ledger, and the events it gave up on. The
 * ledger is the outbox: every event is worked out from a movement, which is written in the same transaction or
 * Lua step as the change it records, so a change can never be kept and its event lost. All this log keeps is a
 * position in the ledger, which only moves past an event once it is sent (or given up on): a crash before
 * that sends the event again. Any method may throw `StoreUnavailableError`.
 */
export interface WebhookLog {
  /**
   * Takes, or keeps, the right to send for `ms`, as `owner`: false while another process holds it, so that
   * of the processes sharing a store one sends at a time, and the events go in the ledger's order.
   */
  lease(owner: string, ms: number): Promise<boolean>
  /** How far sending has got; the first call ever starts it at the ledger's end, so old history is not sent. */
  progress(): Promise<WebhookProgress>
  /** Keeps the progress, and, in the same write, an event given up on. */
  save(progress: WebhookProgress, failed?: FailedWebhook): Promise<void>
  /** The events given up on, oldest first: at most `limit`. */
  failed(limit: number): Promise<FailedWebhook[]>
  failedOne(id: string): Promise<FailedWebhook | undefined>
  /** Keeps how a failed event's latest attempt went, or forgets it with `undefined` once it is sent. */
  putFailed(id: string, failed: FailedWebhook | undefined): Promise<void>
}

/** Failed events oldest first: by when they were given up on, then by id. */
export const failedOrder = (a: FailedWebhook, b: FailedWebhook): number =>
  a.failedAt - b.failedAt || (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0)

/** The log of a store in this process's memory: one process, so it always holds the lease. */
export class MemoryWebhookLog implements WebhookLog {
  #progress: WebhookProgress | undefined
  readonly #failed = new Map<string, FailedWebhook>()

  constructor(private readonly lastSeq: () => Promise<number>) {}

  async lease(): Promise<boolean> {
    return true
  }

  async progress(): Promise<WebhookProgress> {
    return (this.#progress ??= progressAt(await this.lastSeq()))
  }

  async save(progress: WebhookProgress, failed?: FailedWebhook): Promise<void> {
    this.#progress = progress
    if (failed) this.#failed.set(failed.event.id, failed)
  }

  async failed(limit: number): Promise<FailedWebhook[]> {
    return [...this.#failed.values()].sort(failedOrder).slice(0, limit)
  }

  async failedOne(id: string): Promise<FailedWebhook | undefined> {
    return this.#failed.get(id)
  }

  async putFailed(id: string, failed: FailedWebhook | undefined): Promise<void> {
    if (failed) this.#failed.set(id, failed)
    else this.#failed.delete(id)
  }
}
