import type { Clock } from '../clock.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'
import { Published } from './published.js'

export class TooManyWaitersError extends Error {
  readonly code = 'too_many_waiters'

  constructor(maxWaiters: number) {
    super(`this server already holds ${maxWaiters} waiting requests; try again shortly`)
    this.name = 'TooManyWaitersError'
  }
}

export interface HubOptions {
  readonly clock: Clock
  readonly maxWaiters: number
  /** How many waiters are answered per turn of the event loop, so that a large fan-out never blocks it long. */
  readonly batchSize?: number
  readonly observer?: HubObserver
}

/** Told of what the hub does, for metrics. */
export interface HubObserver {
  /** A new version was published. */
  changed(): void
  /** Every waiter and subscriber due since the first unsent version was sent it, `ms` after that version came. */
  fannedOut(ms: number): void
}

/** Sends a waiter its answer; called once, from the hub's fan-out, its timer, or `wait` itself. */
export type Deliver = (published: Published) => void

/** A client that stays connected and is sent every version, such as an event stream or a WebSocket. */
export interface Subscriber {
  /** Sends one version; called from the hub's fan-out, with each version at most once, in order. */
  send(published: Published): void
  /** Ends the connection: the hub is closing. Called once, after the latest version was sent. */
  end(): void
}

/**
 * Small enough that a turn of the event loop stays within a few milliseconds even when each answer costs
 * tens of microseconds, so that a writer waits at most a few short turns during a large fan-out.
 */
const DEFAULT_BATCH_SIZE = 64

const noop = () => {}

class Waiter {
  settled = false
  cancelTimer: () => void = noop

  constructor(
    readonly cursor: number,
    readonly deliver: Deliver,
  ) {}
}

class Subscription {
  /** Whether it is in the fan-out's queue now, so that a burst of versions queues it once. */
  queued = false

  constructor(
    /** The version it was sent last, or the one its client said it has. */
    public sent: number,
    readonly transport: string,
    readonly subscriber: Subscriber,
  ) {}
}

/**
 * Holds requests until the stock moves past their cursor, and sends each subscriber every new version.
 *
 * The hub knows versions, not carts: it is told of each new snapshot by `publish` and delivers to every
 * waiter whose cursor is behind the same serialised body. Deliveries go out in batches on later turns of the
 * event loop, so the writer whose change caused them is answered first, and a burst of changes within one
 * turn wakes each waiter once, with the newest version. A delivery is a plain synchronous call, so that a
 * transport can write straight to its socket: no promise per waiter stands between the change and the wire.
 */
export class Hub {
  readonly #clock: Clock
  readonly #maxWaiters: number
  readonly #batchSize: number
  readonly #observer: HubObserver | undefined
  /** When the oldest version not yet sent to everyone due was published. */
  #fanOutStartedAt: number | undefined
  #latest: Published
  readonly #waitersByCursor = new Map<number, Set<Waiter>>()
  #held = 0
  readonly #subscriptions = new Set<Subscription>()
  readonly #subscribersByTransport = new Map<string, number>()
  /** The version the subscriptions were last queued for. */
  #queuedVersion: number
  readonly #due: (Waiter | Subscription)[] = []
  #dueHead = 0
  #pumpScheduled = false
  #closed = false

  constructor(initial: StockSnapshot, options: HubOptions) {
    this.#clock = options.clock
    this.#maxWaiters = options.maxWaiters
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    this.#observer = options.observer
    this.#latest = new Published(initial)
    this.#queuedVersion = initial.version
  }

  get latest(): Published {
    return this.#latest
  }

  /** Whether `close` was called: every wait is answered at once from then on. */
  get closed(): boolean {
    return this.#closed
  }

  /** How many requests are held now. */
  get held(): number {
    return this.#held
  }

  /** How many subscribers of a transport are connected now. */
  subscribers(transport: string): number {
    return this.#subscribersByTransport.get(transport) ?? 0
  }

  /** Records a new version; one that is not newer than the latest (a repeat, or out of order) is ignored. */
  publish(snapshot: StockSnapshot): void {
    if (snapshot.version <= this.#latest.snapshot.version) return
    this.#latest = new Published(snapshot)
    this.#fanOutStartedAt ??= this.#clock.now()
    this.#observer?.changed()
    this.#schedulePump()
  }

  /**
   * Delivers the first version after `since` (after the latest, without it), or the latest when the timeout
   * passes or the hub closes. A cursor already behind joins the queue of the fan-out under way, and is answered
   * with it, never refused: answering it inside this call would let clients that poll again at once crowd out
   * the writers, and answer them with a version a burst is about to replace. A closed hub delivers inside this
   * call and holds nothing. Returns a function that drops the waiter without delivering, for a client that
   * went away. Throws `TooManyWaitersError` when the hub is full.
   */
  wait(since: number | undefined, timeoutMs: number, deliver: Deliver): () => void {
    const latest = this.#latest
    if (this.#closed) {
      deliver(latest)
      return noop
    }
    const cursor = since ?? latest.snapshot.version
    const waiter = new Waiter(cursor, deliver)
    if (cursor < latest.snapshot.version) {
      this.#held++
      this.#due.push(waiter)
      this.#schedulePump()
      return () => this.#release(waiter)
    }
    if (this.#held >= this.#maxWaiters) throw new TooManyWaitersError(this.#maxWaiters)

    let peers = this.#waitersByCursor.get(cursor)
    if (!peers) this.#waitersByCursor.set(cursor, (peers = new Set()))
    peers.add(waiter)
    this.#held++
    waiter.cancelTimer = this.#clock.setTimeout(() => this.#answer(waiter), timeoutMs)
    return () => this.#release(waiter)
  }

  /**
   * Sends `subscriber` the latest version on the next turn, unless `since` says its client has it already,
   * and from then on every newer one; a burst of versions within one turn sends only the newest. `transport`
   * names it in `subscribers()`. Returns a function that ends the subscription, for a client that went away.
   * A closed hub ends a new subscriber at once.
   */
  subscribe(transport: string, since: number | undefined, subscriber: Subscriber): () => void {
    if (this.#closed) {
      if ((since ?? -1) < this.#latest.snapshot.version) subscriber.send(this.#latest)
      subscriber.end()
      return noop
    }
    const subscription = new Subscription(since ?? -1, transport, subscriber)
    this.#subscriptions.add(subscription)
    this.#subscribersByTransport.set(transport, this.subscribers(transport) + 1)
    if (subscription.sent < this.#latest.snapshot.version) this.#queue(subscription)
    return () => this.#unsubscribe(subscription)
  }

  /**
   * Answers every waiter with the latest version, sends it to every subscriber that lacks it and ends them,
   * and answers every later wait at once: for shutting down.
   */
  close(): void {
    this.#closed = true
    for (const subscription of this.#subscriptions) {
      this.#send(subscription)
      this.#unsubscribe(subscription)
      subscription.subscriber.end()
    }
    this.#schedulePump()
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return
    this.#pumpScheduled = true
    setImmediate(this.#pump)
  }

  readonly #pump = (): void => {
    this.#pumpScheduled = false
    const version = this.#latest.snapshot.version
    for (const [cursor, waiters] of this.#waitersByCursor) {
      if (cursor >= version && !this.#closed) continue
      this.#waitersByCursor.delete(cursor)
      for (const waiter of waiters) this.#due.push(waiter)
    }
    if (version > this.#queuedVersion) {
      this.#queuedVersion = version
      for (const subscription of this.#subscriptions) if (!subscription.queued) this.#queue(subscription)
    }
    const end = Math.min(this.#dueHead + this.#batchSize, this.#due.length)
    while (this.#dueHead < end) {
      const due = this.#due[this.#dueHead++]!
      if (due instanceof Waiter) this.#answer(due)
      else this.#send(due)
    }
    if (this.#dueHead < this.#due.length) {
      this.#schedulePump()
    } else {
      this.#due.length = 0
      this.#dueHead = 0
      if (this.#fanOutStartedAt !== undefined) this.#observer?.fannedOut(this.#clock.now() - this.#fanOutStartedAt)
      this.#fanOutStartedAt = undefined
    }
  }

  #queue(subscription: Subscription): void {
    subscription.queued = true
    this.#due.push(subscription)
    this.#schedulePump()
  }

  /** Sends the latest version to a subscription that lacks it; one that ended meanwhile is skipped. */
  #send(subscription: Subscription): void {
    subscription.queued = false
    const latest = this.#latest
    if (subscription.sent >= latest.snapshot.version) return
    subscription.sent = latest.snapshot.version
    subscription.subscriber.send(latest)
  }

  #unsubscribe(subscription: Subscription): void {
    if (!this.#subscriptions.delete(subscription)) return
    // Still queued, it would be sent once more: mark it as having everything.
    subscription.sent = Number.POSITIVE_INFINITY
    this.#subscribersByTransport.set(subscription.transport, this.subscribers(subscription.transport) - 1)
  }

  #answer(waiter: Waiter): void {
    if (this.#release(waiter)) waiter.deliver(this.#latest)
  }

  /** Forgets a waiter and its timer; says whether it was still held. */
  #release(waiter: Waiter): boolean {
    if (waiter.settled) return false
    waiter.settled = true
    waiter.cancelTimer()
    const peers = this.#waitersByCursor.get(waiter.cursor)
    if (peers?.delete(waiter) && peers.size === 0) this.#waitersByCursor.delete(waiter.cursor)
    this.#held--
    return true
  }
}
