import { nanoid } from 'nanoid'
import type { Clock } from '../clock.js'
import { progressAt, type FailedWebhook, type WebhookEvent, type WebhookProgress } from '../domain/webhook-event.js'
import type { Logger } from '../logger.js'
import type { WebhookLog } from '../store/webhook-log.js'
import type { WebhookEvents } from './webhook-events.js'

/** How one attempt went: sent (the receiver answered 2xx), or why not. */
export type Delivery = { readonly ok: true } | { readonly ok: false; readonly error: string }

/** Sends one event. */
export type PostWebhook = (event: WebhookEvent) => Promise<Delivery>

/** When a failed event is tried again, and for how long. */
export interface RetryPolicy {
  readonly firstDelayMs: number
  readonly maxDelayMs: number
  /** How long after its first failure an event is given up on, and set aside. */
  readonly giveUpAfterMs: number
  /** A number in [0, 1), for the jitter. */
  readonly random: () => number
}

/**
 * Doubling from a second up to ten minutes, so that a receiver back from an outage hears within ten minutes,
 * for a day.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
  random: Math.random,
}

/** What the sender reports, for the metrics. */
export interface WebhookObserver {
  /** An attempt's outcome: `delivered`, `failed` (to be tried again) or `given_up`. */
  webhookAttempt(outcome: 'delivered' | 'failed' | 'given_up'): void
  /** How long the oldest event not yet sent had waited since its change at its last attempt; 0 when none waits. */
  webhookBacklog(ms: number): void
}

export interface WebhookSenderOptions {
  readonly log: WebhookLog
  readonly events: WebhookEvents
  readonly post: PostWebhook
  readonly clock: Clock
  readonly logger: Logger
  readonly observer: WebhookObserver
  readonly retry?: RetryPolicy
}

/** How long a process holds the right to send without renewing it: a process that died gives it up by then. */
const LEASE_MS = 30_000
/** How often an idle sender reads the ledger, besides when it hears of a change; and a process not sending asks for the lease. */
const IDLE_MS = 5000

/** What waits to be sent (see `WebhookSender.pending`). */
export interface PendingWebhooks {
  readonly progress: WebhookProgress
  readonly events: readonly WebhookEvent[]
  /** Whether more wait than these. */
  readonly more: boolean
}

/** Progress just past `event`: the next is the one after it in the same movement, if there is one. */
const pastEvent = (event: WebhookEvent): WebhookProgress => ({
  ...progressAt(event.movement.seq - 1),
  sent: event.index + 1,
})

/** How a retry by hand went: sent, or failed again. */
export type RetryOutcome = { readonly sent: true } | { readonly sent: false; readonly failed: FailedWebhook }

/**
 * Sends the webhook events, in the ledger's order, one at a time: the next waits until the one before is
 * sent (2xx) or given up on, so every product's events arrive in order. An event that fails is tried again
 * after a doubling delay with jitter, until `giveUpAfterMs` after its first failure; then it is set aside, for
 * a retry by hand. Progress is kept in the store after each event, so that a process that dies sends again at
 * most the event it was sending. Of the processes on one store, the one holding the lease sends.
 */
export class WebhookSender {
  readonly #options: WebhookSenderOptions
  readonly #retry: RetryPolicy
  readonly #owner = nanoid()
  #cancel = () => {}
  #running = false
  #again = false
  #stopped = false
  /** Whether the last round failed on the store, so that an outage is logged once. */
  #storeFailing = false
  /** Whether this process held the lease at its last round. */
  #leased = false

  constructor(options: WebhookSenderOptions) {
    this.#options = options
    this.#retry = options.retry ?? DEFAULT_RETRY
  }

  /** Starts sending; returns a function that stops it. */
  start(): () => void {
    this.wake()
    return () => {
      this.#stopped = true
      this.#cancel()
    }
  }

  /**
   * Hears of a change: reads the ledger now, where this process sends. One that does not asks for the lease
   * only every `IDLE_MS`, rather than on every change.
   */
  changed(): void {
    if (this.#leased) this.wake()
  }

  /** Reads the ledger now, unless an event waits for its next attempt. */
  wake(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#cancel()
    this.#running = true
    void this.#round().then((waitMs) => {
      this.#running = false
      if (this.#stopped) return
      if (this.#again) {
        this.#again = false
        return this.wake()
      }
      this.#cancel = this.#options.clock.setTimeout(() => this.wake(), waitMs)
    })
  }

  /**
   * What waits to be sent: how the next event has fared, and the events of the next read of the ledger, at
   * most `limit` of them.
   */
  async pending(limit: number): Promise<PendingWebhooks> {
    const progress = await this.#options.log.progress()
    const page = await this.#options.events.after(progress)
    return { progress, events: page.events.slice(0, limit), more: page.more || page.events.length > limit }
  }

  /** The events given up on, oldest first. */
  failed(limit: number): Promise<FailedWebhook[]> {
    return this.#options.log.failed(limit)
  }

  /** Sends a failed event again, at once: it is forgotten once sent. Undefined when there is none by that id. */
  async retry(id: string): Promise<RetryOutcome | undefined> {
    const { log, post, clock, observer } = this.#options
    const failed = await log.failedOne(id)
    if (!failed) return undefined
    const delivery = await post(failed.event)
    observer.webhookAttempt(delivery.ok ? 'delivered' : 'failed')
    if (delivery.ok) {
      await log.putFailed(id, undefined)
      return { sent: true }
    }
    const again = { ...failed, attempts: failed.attempts + 1, lastError: delivery.error, failedAt: clock.now() }
    await log.putFailed(id, again)
    return { sent: false, failed: again }
  }

  /** One round: sends what it can; gives how long to wait before the next. */
  async #round(): Promise<number> {
    try {
      const wait = await this.#send()
      this.#storeFailing = false
      return wait
    } catch (err) {
      if (this.#stopped) return IDLE_MS
      if (!this.#storeFailing) this.#options.logger.warn({ err }, 'cannot read or write the webhook log; trying again')
      this.#storeFailing = true
      return IDLE_MS
    }
  }

  async #send(): Promise<number> {
    const { log, events, post, clock, observer } = this.#options
    this.#leased = await log.lease(this.#owner, LEASE_MS)
    if (!this.#leased) return IDLE_MS
    let leasedAt = clock.now()
    let progress = await log.progress()
    if (progress.nextAttemptAt !== null && progress.nextAttemptAt > clock.now()) {
      return progress.nextAttemptAt - clock.now()
    }
    const page = await events.after(progress)
    for (const event of page.events) {
      if (this.#stopped) return IDLE_MS
      if (clock.now() - leasedAt > LEASE_MS / 3) {
        this.#leased = await log.lease(this.#owner, LEASE_MS)
        if (!this.#leased) return IDLE_MS
        leasedAt = clock.now()
      }
      const delivery = await post(event)
      if (!delivery.ok) {
        const wait = await this.#failed(progress, event, delivery.error)
        if (wait !== undefined) return wait
      } else observer.webhookAttempt('delivered')
      progress = pastEvent(event)
      if (delivery.ok) await log.save(progress)
    }
    observer.webhookBacklog(0)
    if (page.through > progress.seq) await log.save(progressAt(page.through))
    return page.more ? 0 : IDLE_MS
  }

  /**
   * Keeps a failed attempt: gives how long to wait before the next, or, once the event has failed for
   * `giveUpAfterMs`, sets it aside, moving past it, and gives undefined.
   */
  async #failed(progress: WebhookProgress, event: WebhookEvent, error: string): Promise<number | undefined> {
    const { log, clock, logger, observer } = this.#options
    const now = clock.now()
    const attempts = progress.attempts + 1
    const failingSince = progress.failingSince ?? now
    if (now - failingSince >= this.#retry.giveUpAfterMs) {
      observer.webhookAttempt('given_up')
      logger.error({ event: event.id, type: event.type, attempts, error }, 'gave up sending a webhook event')
      await log.save(pastEvent(event), { event, attempts, lastError: error, failedAt: now })
      return undefined
    }
    observer.webhookAttempt('failed')
    observer.webhookBacklog(now - event.movement.time)
    const { firstDelayMs, maxDelayMs, random } = this.#retry
    const delay = Math.round(Math.min(maxDelayMs, firstDelayMs * 2 ** (attempts - 1)) * (0.5 + random() / 2))
    logger.warn({ event: event.id, type: event.type, attempts, error, retryInMs: delay }, 'a webhook was not taken')
    await log.save({ ...progress, attempts, failingSince, nextAttemptAt: now + delay, lastError: error })
    return delay
  }
}
