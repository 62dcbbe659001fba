import type { Clock } from '../clock.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'
import { Published } from './published.js'
import { TooManyWaitersError } from './too-many-waiters-error.js'
import { noneHeld, type StreamTransport, type Transport } from './transport.js'

export interface HubOptions {
  readonly clock: Clock
  /** How many waiters and subscribers it holds at most, together: each is an open connection. */
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

/**
 * Where a client stands: the version it saw last, in the epoch that version belongs to. Without an epoch,
 * the version is taken to be of the current one, as older clients expect.
 */
export interface Cursor {
  readonly version: number
  readonly epoch?: string | undefined
}

/** Why a waiter is answered: the stock moved past its cursor, its time was up, or the hub is closing. */
export type Reason = 'changed' | 'timeout' | 'closing'

/** Sends a waiter its answer; called once, from the hub's fan-out, its timer, or `wait` itself. */
export type Deliver = (published: Published, reason: Reason) => void

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

/** How often a closing hub answers the next slice of its clients, spread over the window it was given. */
const CLOSE_SLICE_MS = 20

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
  ended = false

  constructor(
    /** What it was sent last, or what its client said it has. */
    public sent: Cursor,
    readonly transport: StreamTransport,
    readonly subscriber: Subscriber,
  ) {}
}

/** Whether a client at `cursor` lacks `latest`: it names another epoch, or an earlier version. */
const lacks = ({ version, epoch }: Cursor, { snapshot }: Published): boolean =>
  (epoch !== undefined && epoch !== snapshot.epoch) || version < snapshot.version

/**
 * Holds requests until the stock moves past their cursor, and sends each subscriber every new version.
 *
 * The hub knows versions, not carts: it is told of each new snapshot by `publish` and delivers to every
 * waiter whose cursor is behind the same serialised body; a new epoch puts every cursor behind. Deliveries go
 * out in batches on later turns of the event loop, so the writer whose change caused them is answered first,
 * and a burst of changes within one turn wakes each waiter once, with the newest version. A delivery is a
 * plain synchronous call, so that a transport can write straight to its socket: no promise per waiter stands
 * between the change and the wire.
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
  #waiting = 0
  readonly #subscriptions = new Set<Subscription>()
  /** Subscribers by transport; `longPoll` stays 0 here, since waiters are counted in `#waiting`. */
  readonly #subscribersBy = noneHeld()
  /** The snapshot the subscriptions were last queued for. */
  #queuedFor: Published
  readonly #due: (Waiter | Subscription)[] = []
  #dueHead = 0
  #pumpScheduled = false
  /** Set before the first slice of a close is answered, inside `close`, where `#closing` is not yet set. */
  #closed = false
  #closing: Promise<void> | undefined

  constructor(initial: StockSnapshot, options: HubOptions) {
    this.#clock = options.clock
    this.#maxWaiters = options.maxWaiters
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    this.#observer = options.observer
    this.#latest = new Published(initial)
    this.#queuedFor = this.#latest
  }

  get latest(): Published {
    return this.#latest
  }

  /** How many requests are held now. */
  get held(): number {
    return this.#waiting
  }

  /** How many clients it holds now on each transport: waiters are long polls, subscribers the others. */
  heldByTransport(): Readonly<Record<Transport, number>> {
    return { ...this.#subscribersBy, longPoll: this.#waiting }
  }

  /**
   * Records a new version, or the first of a new epoch. One that is not newer than the latest (a repeat, or
   * out of order) is ignored.
   */
  publish(snapshot: StockSnapshot): void {
    const newEpoch = snapshot.epoch !== this.#latest.snapshot.epoch
    if (!newEpoch && snapshot.version <= this.#latest.snapshot.version) return
    this.#latest = new Published(snapshot)
    this.#fanOutStartedAt ??= this.#clock.now()
    this.#observer?.changed()
    // Held cursors are of the old epoch, whatever their version: every one is due. Queued now, so that a
    // wait in the new epoch before the fan-out's turn is not taken for one of them.
    if (newEpoch) this.#queueHeldWhere(() => true)
    this.#schedulePump()
  }

  /**
   * Delivers the first version after `since` (after the latest, without it), or the latest when the timeout
   * passes or the hub closes. A cursor already behind, or of another epoch, joins the queue of the fan-out
   * under way, and is answered with it, never refused: answering it inside this call would let clients that
   * poll again at once crowd out the writers, and answer them with a version a burst is about to replace. A
   * closed hub delivers inside this call and holds nothing. Returns a function that drops the waiter without
   * delivering, for a client that went away. Throws `TooManyWaitersError` when the hub is full.
   *
   * The cursor is compared with the latest version and the waiter registered in one synchronous step, so no
   * change can land between the two and be missed.
   */
  wait(since: Cursor | undefined, timeoutMs: number, deliver: Deliver): () => void {
    const latest = this.#latest
    if (this.#closed) {
      deliver(latest, 'closing')
      return noop
    }
    const waiter = new Waiter(since?.version ?? latest.snapshot.version, deliver)
    if (since && lacks(since, latest)) {
      this.#waiting++
      this.#due.push(waiter)
      this.#schedulePump()
      return () => this.#release(waiter)
    }
    this.assertRoom()

    let peers = this.#waitersByCursor.get(waiter.cursor)
    if (!peers) this.#waitersByCursor.set(waiter.cursor, (peers = new Set()))
    peers.add(waiter)
    this.#waiting++
    waiter.cancelTimer = this.#clock.setTimeout(() => this.#answer(waiter, 'timeout'), timeoutMs)
    return () => this.#release(waiter)
  }

  /** Throws `TooManyWaitersError` when the hub holds as many waiters and subscribers as it may. */
  assertRoom(): void {
    if (this.#waiting + this.#subscriptions.size >= this.#maxWaiters) throw new TooManyWaitersError(this.#maxWaiters)
  }

  /**
   * Sends `subscriber` the latest version on the next turn, unless `since` says its client has it already,
   * and from then on every newer one; a burst of versions within one turn sends only the newest. `transport`
   * names it in `subscribers()`. Returns a function that ends the subscription, for a client that went away.
   * A closed hub ends a new subscriber at once. Throws `TooManyWaitersError` when the hub is full.
   */
  subscribe(transport: StreamTransport, since: Cursor | undefined, subscriber: Subscriber): () => void {
    // A cursor without an epoch is of the current one; named, it is still told of the next new epoch.
    const sent = since ? { version: since.version, epoch: since.epoch ?? this.#latest.snapshot.epoch } : { version: -1 }
    const subscription = new Subscription(sent, transport, subscriber)
    if (this.#closed) {
      this.#leave(subscription)
      return noop
    }
    this.assertRoom()
    this.#subscriptions.add(subscription)
    this.#subscribersBy[transport]++
    if (lacks(sent, this.#latest)) this.#queue(subscription)
    return () => this.#unsubscribe(subscription)
  }

  /**
   * For shutting down: answers every waiter with the latest version, sends it to every subscriber that lacks
   * it and ends them, and answers every later wait at once. They are answered in even slices over `spreadMs`,
   * so that clients do not all come back in the same instant; the promise resolves once all have been.
   * Calling it again returns the same promise.
   */
  close(spreadMs = 0): Promise<void> {
    if (this.#closing) return this.#closing
    this.#closed = true
    const held = [...this.#waitersByCursor.values()].flatMap((peers) => [...peers])
    return (this.#closing = this.#leaveOver(spreadMs, held))
  }

  async #leaveOver(spreadMs: number, waiters: readonly Waiter[]): Promise<void> {
    const leaving = [...waiters, ...this.#subscriptions]
    const startedAt = this.#clock.now()
    let left = 0
    while (left < leaving.length) {
      const share = Math.min(1, (this.#clock.now() - startedAt + CLOSE_SLICE_MS) / spreadMs)
      for (const due = Math.ceil(leaving.length * share); left < due; left++) this.#leave(leaving[left]!)
      if (left < leaving.length) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, CLOSE_SLICE_MS))
    }
  }

  /** Answers a waiter, or sends a subscriber what it lacks and ends it, as the hub closes. */
  #leave(due: Waiter | Subscription): void {
    if (due instanceof Waiter) return this.#answer(due, 'closing')
    this.#send(due)
    this.#unsubscribe(due)
    due.subscriber.end()
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return
    this.#pumpScheduled = true
    setImmediate(this.#pump)
  }

  readonly #pump = (): void => {
    this.#pumpScheduled = false
    const version = this.#latest.snapshot.version
    this.#queueHeldWhere((cursor) => cursor < version)
    if (this.#latest !== this.#queuedFor) {
      this.#queuedFor = this.#latest
      for (const subscription of this.#subscriptions) if (!subscription.queued) this.#queue(subscription)
    }
    const end = Math.min(this.#dueHead + this.#batchSize, this.#due.length)
    while (this.#dueHead < end) {
      const due = this.#due[this.#dueHead++]!
      if (due instanceof Waiter) this.#answer(due, 'changed')
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

  /** Moves the held waiters whose cursor `isDue` to the fan-out's queue. */
  #queueHeldWhere(isDue: (cursor: number) => boolean): void {
    for (const [cursor, waiters] of this.#waitersByCursor) {
      if (!isDue(cursor)) continue
      this.#waitersByCursor.delete(cursor)
      for (const waiter of waiters) this.#due.push(waiter)
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
    if (subscription.ended || !lacks(subscription.sent, latest)) return
    subscription.sent = latest.snapshot
    subscription.subscriber.send(latest)
  }

  #unsubscribe(subscription: Subscription): void {
    subscription.ended = true
    if (!this.#subscriptions.delete(subscription)) return
    this.#subscribersBy[subscription.transport]--
  }

  #answer(waiter: Waiter, reason: Reason): void {
    if (this.#release(waiter)) waiter.deliver(this.#latest, reason)
  }

  /** Forgets a waiter and its timer; says whether it was still held. */
  #release(waiter: Waiter): boolean {
    if (waiter.settled) return false
    waiter.settled = true
    waiter.cancelTimer()
    const peers = this.#waitersByCursor.get(waiter.cursor)
    if (peers?.delete(waiter) && peers.size === 0) this.#waitersByCursor.delete(waiter.cursor)
    this.#waiting--
    return true
  }
}
