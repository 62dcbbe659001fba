import type { Clock } from '../clock.js'
import type { CatalogChange } from '../domain/catalog.js'
import type { CatalogMirror } from './catalog-mirror.js'
import { FanOut, type FanOutObserver } from './fan-out.js'
import { SubscriberIndex } from './subscriber-index.js'
import { Subscription, type Holder, type Reason, type Sink } from './subscription.js'
import { TooManyWaitersError } from './too-many-waiters-error.js'
import type { StreamTransport, Transport } from './transport.js'
import { Update } from './update.js'
import type { Cursor, Watch } from './watch.js'

export interface HubOptions {
  readonly clock: Clock
  /** How many long polls and streams it holds at most, together: each is an open connection. */
  readonly maxWaiters: number
  /** How many clients are sent their update per turn of the event loop. */
  readonly batchSize?: number
  readonly observer?: FanOutObserver
}

/** Sends a long poll its answer; called once, from the fan-out, its timer, or `wait` itself. */
export type Deliver = (update: Update, reason: Reason) => void

/** How often a closing hub answers the next slice of its clients, spread over the window it was given. */
const CLOSE_SLICE_MS = 20

const noop = () => {}

/**
 * Holds long polls until a product they watch moves past their cursor, and sends each stream every change it
 * watches. It hears each change by `publish`, keeps the catalog in its mirror, and finds the clients a change
 * concerns in its index, by the products they watch; its fan-out sends them in batches on later turns, so a
 * burst of changes within one turn reaches each client once, with the newest stock. Clients that watch the
 * same products from the same cursor share one `Update`, encoded once per transport. A delivery is a plain
 * synchronous call, so that a transport can write straight to its socket.
 */
export class Hub {
  readonly #clock: Clock
  readonly #maxWaiters: number
  readonly #index = new SubscriberIndex()
  readonly #fanOut: FanOut<Subscription>
  /**
   * The updates built since the last change, by the key of the watch and then the version sent from (-2 for
   * a resync), for every client that needs the same.
   */
  readonly #updates = new Map<string, Map<number, Update>>()
  /** The catalog's epoch and version as one cursor, shared by every stream sent up to them until the next change. */
  #cursor: Cursor | undefined
  /** Set before the first slice of a close is answered, inside `close`, where `#closing` is not yet set. */
  #closed = false
  #closing: Promise<void> | undefined
  readonly #holder: Holder = {
    watching: (subscription, added, removed) => {
      this.#index.addSkus(subscription, added)
      this.#index.removeSkus(subscription, removed)
      if (subscription.hasFresh) this.#queue(subscription)
    },
    end: (subscription) => void this.#release(subscription),
  }

  constructor(
    /** The catalog as the hub last heard of it; the transports read the SKUs it has from it too. */
    readonly catalog: CatalogMirror,
    options: HubOptions,
  ) {
    this.#clock = options.clock
    this.#maxWaiters = options.maxWaiters
    this.#fanOut = new FanOut({
      clock: options.clock,
      send: (due) => this.#sendDue(due),
      batchSize: options.batchSize,
      observer: options.observer,
    })
  }

  get epoch(): string {
    return this.catalog.epoch
  }

  /** The catalog's version: the latest change the hub heard of. */
  get version(): number {
    return this.catalog.version
  }

  /** How many long polls are held now. */
  get held(): number {
    return this.#index.byTransport().longPoll
  }

  /** How many clients it holds now on each transport. */
  heldByTransport(): Readonly<Record<Transport, number>> {
    return this.#index.byTransport()
  }

  /** Whether a fan-out is under way: some clients are still due an update. */
  get fanningOut(): boolean {
    return this.#fanOut.running
  }

  /** Calls `listener` whenever a fan-out has sent its last update; the returned function stops that. */
  onFannedOut(listener: () => void): () => void {
    return this.#fanOut.onEnd(listener)
  }

  /** Throws `TooManyWaitersError` when the hub holds as many long polls and streams as it may. */
  assertRoom(): void {
    if (this.#index.size >= this.#maxWaiters) throw new TooManyWaitersError(this.#maxWaiters)
  }

  /**
   * Records a change: the products it touched, or, of a new epoch, every product. A product not newer than
   * the one the hub has (a repeat, or out of order) is ignored, and so is a change with nothing newer. A new
   * epoch puts every client behind, whatever its version.
   */
  publish(change: CatalogChange): void {
    const changed = this.catalog.take(change)
    if (changed !== 'new-epoch' && changed.length === 0) return
    this.#updates.clear()
    this.#cursor = undefined
    this.#fanOut.changed()
    if (changed === 'new-epoch') for (const subscription of this.#index.all()) this.#queue(subscription)
    else this.#index.forEachBehind(changed, this.version, (subscription) => this.#queue(subscription))
  }

  /**
   * A long poll: delivers what `watch` lacks as soon as a product it watches moves past `since` (without it:
   * the next change), or what it has when the timeout passes or the hub closes. A cursor already behind, or of
   * another epoch, joins the queue of the fan-out under way, and is answered with it, never refused: answering
   * it inside this call would let clients that poll again at once crowd out the writers, and answer them with
   * a version a burst is about to replace. A closed hub delivers inside this call and holds nothing. Returns a
   * function that drops the poll without delivering, for a client that went away. Throws
   * `TooManyWaitersError` when the hub is full.
   *
   * The cursor is compared with the products and the poll registered in one synchronous step, so no change
   * can land between the two and be missed.
   */
  wait(watch: Watch, since: Cursor | undefined, timeoutMs: number, deliver: Deliver): () => void {
    const cursor = since ?? { version: this.version }
    const sink: Sink = { send: deliver, end: noop }
    const poll = new Subscription('longPoll', watch, cursor, cursor.epoch ?? this.epoch, sink, true, this.#holder)
    if (this.#closed) {
      deliver(this.#updateFor(poll), 'closing')
      return noop
    }
    const behind = this.catalog.lacks(watch, cursor)
    if (!behind) this.assertRoom()
    this.#index.add(poll)
    if (behind) this.#queue(poll)
    else poll.cancelTimer = this.#clock.setTimeout(() => this.#answer(poll, 'timeout'), timeoutMs)
    return () => void this.#release(poll)
  }

  /**
   * A stream: sends `sink` what `watch` lacks on the next turn, from `since` (without it: the stock of every
   * product it watches), and from then on every change it watches; a burst of changes within one turn is sent
   * as one. A closed hub ends a new stream at once. Throws `TooManyWaitersError` when the hub is full.
   */
  subscribe(transport: StreamTransport, watch: Watch, since: Cursor | undefined, sink: Sink): Subscription {
    // A cursor without an epoch is of the current one; named, it is still told of the next new epoch.
    const cursor = since ? { version: since.version, epoch: since.epoch ?? this.epoch } : { version: -1 }
    const stream = new Subscription(transport, watch, cursor, cursor.epoch ?? this.epoch, sink, false, this.#holder)
    if (this.#closed) {
      this.#leave(stream)
      return stream
    }
    this.assertRoom()
    this.#index.add(stream)
    if (this.catalog.lacks(watch, cursor)) this.#queue(stream)
    return stream
  }

  /**
   * For shutting down: answers every long poll with what it lacks, sends it to every stream that lacks it and
   * ends them, and answers every later poll at once. They are answered in even slices over `spreadMs`, so that
   * clients do not all come back in the same instant; the promise resolves once all have been. Calling it
   * again returns the same promise.
   */
  close(spreadMs = 0): Promise<void> {
    if (this.#closing) return this.#closing
    this.#closed = true
    const held = [...this.#index.all()]
    const leaving = [...held.filter(({ once }) => once), ...held.filter(({ once }) => !once)]
    return (this.#closing = this.#leaveOver(spreadMs, leaving))
  }

  async #leaveOver(spreadMs: number, leaving: readonly Subscription[]): Promise<void> {
    const startedAt = this.#clock.now()
    let left = 0
    while (left < leaving.length) {
      const share = Math.min(1, (this.#clock.now() - startedAt + CLOSE_SLICE_MS) / spreadMs)
      for (const due = Math.ceil(leaving.length * share); left < due; left++) this.#leave(leaving[left]!)
      if (left < leaving.length) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, CLOSE_SLICE_MS))
    }
  }

  /** Answers a long poll, or sends a stream what it lacks and ends it, as the hub closes. */
  #leave(subscription: Subscription): void {
    if (subscription.once) return this.#answer(subscription, 'closing')
    this.#sendStream(subscription)
    this.#release(subscription)
    subscription.sink.end()
  }

  #queue(subscription: Subscription): void {
    if (subscription.queued || subscription.ended) return
    subscription.queued = true
    this.#fanOut.queue(subscription)
  }

  #sendDue(subscription: Subscription): void {
    subscription.queued = false
    if (subscription.once) this.#answer(subscription, 'changed')
    else this.#sendStream(subscription)
  }

  #answer(poll: Subscription, reason: Reason): void {
    if (this.#release(poll)) poll.sink.send(this.#updateFor(poll), reason)
  }

  /** Sends a stream what it lacks; one that lacks nothing, or ended meanwhile, is sent nothing. */
  #sendStream(stream: Subscription): void {
    if (stream.ended) return
    const fresh = stream.takeFresh()
    if (!fresh?.size && !this.catalog.lacks(stream.watched, stream.cursor)) return
    const update = this.#updateFor(stream, fresh)
    if (update.products.length === 0 && !update.resync) return
    stream.cursor = this.#cursorNow()
    stream.epoch = this.epoch
    stream.sink.send(update, 'changed')
  }

  /** Forgets a subscription and its timer; says whether it was still held. */
  #release(subscription: Subscription): boolean {
    if (subscription.ended) return false
    subscription.ended = true
    subscription.cancelTimer()
    this.#index.remove(subscription)
    return true
  }

  /**
   * What a client is sent, built once for every client of the same watch and cursor until the next change:
   * the products it watches that moved past its cursor, or, for a cursor of an earlier epoch, all of them. It
   * says `resync` when the client named an epoch that is not the current one.
   */
  #updateFor({ watched, key, cursor, epoch }: Subscription, fresh?: ReadonlySet<string>): Update {
    const resync = cursor.epoch !== undefined && cursor.epoch !== this.epoch
    const since = epoch !== this.epoch ? -1 : cursor.version
    // An update with fresh SKUs is one stream's own.
    let shared: Map<number, Update> | undefined
    if (!fresh?.size) {
      shared = this.#updates.get(key)
      if (!shared) this.#updates.set(key, (shared = new Map<number, Update>()))
    }
    // A cursor of another epoch is sent everything, as from -1, and told to resync.
    const from = resync ? -2 : since
    let update = shared?.get(from)
    if (update) return update
    update = new Update(this.epoch, this.version, this.catalog.lacked(watched, since, fresh), resync)
    shared?.set(from, update)
    return update
  }

  #cursorNow(): Cursor {
    return (this.#cursor ??= { version: this.version, epoch: this.epoch })
  }
}
