import type { Clock } from '../clock.js'
import type { Catalog } from '../domain/catalog.js'
import type { ProductStock } from '../domain/product.js'
import { TooManyWaitersError } from './too-many-waiters-error.js'
import { noneHeld, type StreamTransport, type Transport } from './transport.js'
import { Update } from './update.js'

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
 * Where a client stands: the version of the catalog it saw last, in the epoch that version belongs to.
 * Without an epoch, the version is taken to be of the current one, as older clients expect.
 */
export interface Cursor {
  readonly version: number
  readonly epoch?: string | undefined
}

/**
 * What a client watches. `product`: one product, whose stock every answer carries, changed or not (the
 * classic clients'); `products`: a set, and each answer carries those that changed; `all`: the catalog.
 */
export type Watch =
  | { readonly kind: 'product'; readonly sku: string }
  | { readonly kind: 'products'; readonly skus: readonly string[] }
  | { readonly kind: 'all' }

/** Why a waiter is answered: a product it watches moved past its cursor, its time was up, or the hub is closing. */
export type Reason = 'changed' | 'timeout' | 'closing'

/** Sends a waiter its answer; called once, from the hub's fan-out, its timer, or `wait` itself. */
export type Deliver = (update: Update, reason: Reason) => void

/** A client that stays connected and is sent every change it watches, such as an event stream or a WebSocket. */
export interface Subscriber {
  /** Sends what changed; called from the hub's fan-out, in order, never with nothing. */
  send(update: Update): void
  /** Ends the connection: the hub is closing. Called once, after what the client lacked was sent. */
  end(): void
}

/** A subscription, for its transport to change what it watches and to end it. */
export interface Subscription {
  /** Watches `skus` too: their stock is sent on the next turn, whatever the client has. */
  watch(skus: readonly string[]): void
  /** Stops watching `skus`. */
  unwatch(skus: readonly string[]): void
  /** Ends the subscription, for a client that went away. */
  end(): void
}

/**
 * Small enough that a turn of the event loop stays within a few milliseconds even when each answer costs
 * tens of microseconds, so that a writer waits at most a few short turns during a large fan-out.
 */
const DEFAULT_BATCH_SIZE = 64

/** How often a closing hub answers the next slice of its clients, spread over the window it was given. */
const CLOSE_SLICE_MS = 20

/** How many recent changes the hub remembers, to tell which products changed since a recent cursor. */
const CHANGE_LOG_LENGTH = 1024

const noop = () => {}

/** The SKUs a watch names, or undefined for the whole catalog. */
const skusOf = (watch: Watch): readonly string[] | undefined =>
  watch.kind === 'product' ? [watch.sku] : watch.kind === 'products' ? watch.skus : undefined

/** A string that tells watches apart, so that clients watching the same thing share their updates. */
const keyOf = (watch: Watch): string =>
  watch.kind === 'product' ? `1:${watch.sku}` : watch.kind === 'all' ? '*' : `n:${[...watch.skus].sort().join(',')}`

class Waiter {
  settled = false
  cancelTimer: () => void = noop

  constructor(
    readonly watch: Watch,
    readonly key: string,
    readonly cursor: Cursor,
    /** The epoch its cursor is of: the one it named, or the one current when it began to wait. */
    readonly epoch: string,
    readonly deliver: Deliver,
  ) {}
}

class Follower implements Subscription {
  /** Whether it is in the fan-out's queue now, so that a burst of versions queues it once. */
  queued = false
  ended = false
  /** What it was sent last, or what its client said it has. */
  sent: Cursor
  /** SKUs it watches whose stock it must be sent whatever their version: it has just started watching them. */
  readonly fresh = new Set<string>()
  readonly skus: Set<string> | undefined
  /** What it watches now, and the key of that, made again only when it changes. */
  #watch: { readonly watch: Watch; readonly key: string } | undefined

  constructor(
    readonly began: Watch,
    since: Cursor | undefined,
    readonly transport: StreamTransport,
    readonly subscriber: Subscriber,
    readonly index: FollowerIndex,
  ) {
    const skus = skusOf(began)
    this.skus = skus && new Set(skus)
    this.sent = since ?? { version: -1 }
  }

  /** What it watches now: as it began, or the products it watches since it was told to watch others. */
  get watching(): { readonly watch: Watch; readonly key: string } {
    if (!this.#watch) {
      const watch: Watch = this.began.kind !== 'products' ? this.began : { kind: 'products', skus: [...this.skus!] }
      this.#watch = { watch, key: keyOf(watch) }
    }
    return this.#watch
  }

  watch(skus: readonly string[]): void {
    if (this.ended || this.began.kind !== 'products') return
    for (const sku of skus) {
      this.fresh.add(sku)
      if (!this.skus!.has(sku)) this.index.add(sku, this)
      this.skus!.add(sku)
    }
    this.#watch = undefined
    this.index.queue(this)
  }

  unwatch(skus: readonly string[]): void {
    if (this.ended || this.began.kind !== 'products') return
    for (const sku of skus) {
      this.skus!.delete(sku)
      this.fresh.delete(sku)
      this.index.remove(sku, this)
    }
    this.#watch = undefined
  }

  end(): void {
    this.index.unsubscribe(this)
  }
}

/** What followers need of the hub: to be indexed by SKU, queued, and let go. */
interface FollowerIndex {
  add(sku: string, follower: Follower): void
  remove(sku: string, follower: Follower): void
  queue(follower: Follower): void
  unsubscribe(follower: Follower): void
}

/**
 * Holds requests until a product they watch moves past their cursor, and sends each subscriber every change
 * it watches.
 *
 * The hub knows the catalog's stock and versions, not carts: it is told of each change by `publish`. Waiters
 * are kept by the products they watch (the whole catalog's watchers apart) and, for each product, by cursor,
 * so a change finds the clients behind on the products it touched without looking at anyone else. A new
 * epoch puts every cursor behind. Deliveries go out in batches on later turns of the event loop, so the
 * writer whose change caused them is answered first, and a burst of changes within one turn wakes each
 * client once, with the newest stock. Clients that watch the same products from the same cursor share one
 * `Update`, encoded once per transport. A delivery is a plain synchronous call, so that a transport can
 * write straight to its socket: no promise per waiter stands between the change and the wire.
 */
export class Hub {
  readonly #clock: Clock
  readonly #maxWaiters: number
  readonly #batchSize: number
  readonly #observer: HubObserver | undefined
  /** When the oldest version not yet sent to everyone due was published. */
  #fanOutStartedAt: number | undefined
  #epoch: string
  #version: number
  /** In catalog order. */
  #products: Map<string, ProductStock>
  /** The SKUs each recent change touched, oldest first, by version. */
  #changeLog: { readonly version: number; readonly skus: readonly string[] }[] = []
  /** Waiters on named products, by SKU, then by the version of their cursor. */
  readonly #waitersBySku = new Map<string, Map<number, Set<Waiter>>>()
  /** Waiters on the whole catalog, by the version of their cursor. */
  readonly #catalogWaiters = new Map<number, Set<Waiter>>()
  #waiting = 0
  readonly #followers = new Set<Follower>()
  /** Followers of named products, by SKU; the whole catalog's followers are those without `skus`. */
  readonly #followersBySku = new Map<string, Set<Follower>>()
  /** Followers by transport; `longPoll` stays 0 here, since waiters are counted in `#waiting`. */
  readonly #followersBy = noneHeld()
  /** The updates built since the last change, by watch and cursor, for every client that needs the same. */
  #updates = new Map<string, Update>()
  readonly #due: (Waiter | Follower)[] = []
  #dueHead = 0
  #pumpScheduled = false
  /** What to call once the fan-out under way has sent its last answer. */
  #afterFanOut: (() => void)[] = []
  /** Set before the first slice of a close is answered, inside `close`, where `#closing` is not yet set. */
  #closed = false
  #closing: Promise<void> | undefined
  readonly #index: FollowerIndex = {
    add: (sku, follower) => {
      let followers = this.#followersBySku.get(sku)
      if (!followers) this.#followersBySku.set(sku, (followers = new Set()))
      followers.add(follower)
    },
    remove: (sku, follower) => {
      const followers = this.#followersBySku.get(sku)
      if (followers?.delete(follower) && followers.size === 0) this.#followersBySku.delete(sku)
    },
    queue: (follower) => this.#queue(follower),
    unsubscribe: (follower) => this.#unsubscribe(follower),
  }

  constructor(initial: Catalog, options: HubOptions) {
    this.#clock = options.clock
    this.#maxWaiters = options.maxWaiters
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    this.#observer = options.observer
    this.#epoch = initial.epoch
    this.#version = initial.version
    this.#products = new Map(initial.products.map((product) => [product.sku, product]))
  }

  get epoch(): string {
    return this.#epoch
  }

  /** The catalog's version: the latest change the hub heard of. */
  get version(): number {
    return this.#version
  }

  /** The whole catalog as the hub knows it: the latest it heard of. */
  catalog(): Catalog {
    return { epoch: this.#epoch, version: this.#version, products: [...this.#products.values()] }
  }

  /** Whether the catalog has a product with this SKU. */
  has(sku: string): boolean {
    return this.#products.has(sku)
  }

  /** How many requests are held now. */
  get held(): number {
    return this.#waiting
  }

  /** Whether a fan-out is under way: some clients are still due an answer or a message. */
  get fanningOut(): boolean {
    return this.#pumpScheduled
  }

  /** Calls `callback` once the fan-out under way has sent its last answer; at once, when none is. */
  afterFanOut(callback: () => void): void {
    if (this.fanningOut) this.#afterFanOut.push(callback)
    else callback()
  }

  /** How many clients it holds now on each transport: waiters are long polls, subscribers the others. */
  heldByTransport(): Readonly<Record<Transport, number>> {
    return { ...this.#followersBy, longPoll: this.#waiting }
  }

  /**
   * Records a change: the products it touched, or, of a new epoch, every product. A product not newer than
   * the one the hub has (a repeat, or out of order) is ignored, and so is a change with nothing newer.
   */
  publish(change: Catalog): void {
    if (change.epoch !== this.#epoch) return this.#startEpoch(change)
    const changed = change.products.filter(
      (product) => product.version > (this.#products.get(product.sku)?.version ?? -1),
    )
    if (changed.length === 0) return
    for (const product of changed) this.#products.set(product.sku, product)
    this.#version = Math.max(this.#version, change.version)
    this.#changeLog.push({ version: change.version, skus: changed.map(({ sku }) => sku) })
    if (this.#changeLog.length > CHANGE_LOG_LENGTH) this.#changeLog.shift()
    this.#changed()
    for (const { sku, version } of changed) {
      this.#queueBehind(this.#waitersBySku.get(sku), version)
      for (const follower of this.#followersBySku.get(sku) ?? []) this.#queue(follower)
    }
    this.#queueBehind(this.#catalogWaiters, this.#version)
    for (const follower of this.#followers) if (!follower.skus) this.#queue(follower)
  }

  /**
   * Delivers what `watch` lacks as soon as a product it watches moves past `since` (without it: the next
   * change), or what it has when the timeout passes or the hub closes. A cursor already behind, or of another
   * epoch, joins the queue of the fan-out under way, and is answered with it, never refused: answering it
   * inside this call would let clients that poll again at once crowd out the writers, and answer them with a
   * version a burst is about to replace. A closed hub delivers inside this call and holds nothing. Returns a
   * function that drops the waiter without delivering, for a client that went away. Throws
   * `TooManyWaitersError` when the hub is full.
   *
   * The cursor is compared with the products and the waiter registered in one synchronous step, so no
   * change can land between the two and be missed.
   */
  wait(watch: Watch, since: Cursor | undefined, timeoutMs: number, deliver: Deliver): () => void {
    const cursor = since ?? { version: this.#currentVersionOf(watch) }
    const waiter = new Waiter(watch, keyOf(watch), cursor, cursor.epoch ?? this.#epoch, deliver)
    if (this.#closed) {
      deliver(this.#updateFor(waiter), 'closing')
      return noop
    }
    if (this.#lacks(watch, cursor)) {
      this.#waiting++
      this.#due.push(waiter)
      this.#schedulePump()
      return () => this.#release(waiter)
    }
    this.assertRoom()
    const skus = skusOf(watch)
    if (skus) for (const sku of skus) this.#hold(this.#waitersBySku, sku, waiter)
    else addTo(this.#catalogWaiters, cursor.version, waiter)
    this.#waiting++
    waiter.cancelTimer = this.#clock.setTimeout(() => this.#answer(waiter, 'timeout'), timeoutMs)
    return () => this.#release(waiter)
  }

  /** Throws `TooManyWaitersError` when the hub holds as many waiters and subscribers as it may. */
  assertRoom(): void {
    if (this.#waiting + this.#followers.size >= this.#maxWaiters) throw new TooManyWaitersError(this.#maxWaiters)
  }

  /**
   * Sends `subscriber` what `watch` lacks on the next turn, from `since` (without it: the stock of every
   * product it watches), and from then on every change it watches; a burst of changes within one turn is
   * sent as one. `transport` names it in `heldByTransport()`. A closed hub ends a new subscriber at once.
   * Throws `TooManyWaitersError` when the hub is full.
   */
  subscribe(transport: StreamTransport, watch: Watch, since: Cursor | undefined, subscriber: Subscriber): Subscription {
    // A cursor without an epoch is of the current one; named, it is still told of the next new epoch.
    const sent = since && { version: since.version, epoch: since.epoch ?? this.#epoch }
    const follower = new Follower(watch, sent, transport, subscriber, this.#index)
    if (this.#closed) {
      this.#leave(follower)
      return follower
    }
    this.assertRoom()
    this.#followers.add(follower)
    this.#followersBy[transport]++
    for (const sku of follower.skus ?? []) this.#index.add(sku, follower)
    if (this.#lacks(watch, follower.sent)) this.#queue(follower)
    return follower
  }

  /**
   * For shutting down: answers every waiter with what it lacks, sends it to every subscriber that lacks it
   * and ends them, and answers every later wait at once. They are answered in even slices over `spreadMs`,
   * so that clients do not all come back in the same instant; the promise resolves once all have been.
   * Calling it again returns the same promise.
   */
  close(spreadMs = 0): Promise<void> {
    if (this.#closing) return this.#closing
    this.#closed = true
    const held = new Set<Waiter>()
    for (const byCursor of [...this.#waitersBySku.values(), this.#catalogWaiters]) {
      for (const waiters of byCursor.values()) for (const waiter of waiters) held.add(waiter)
    }
    return (this.#closing = this.#leaveOver(spreadMs, [...held]))
  }

  async #leaveOver(spreadMs: number, waiters: readonly Waiter[]): Promise<void> {
    const leaving = [...waiters, ...this.#followers]
    const startedAt = this.#clock.now()
    let left = 0
    while (left < leaving.length) {
      const share = Math.min(1, (this.#clock.now() - startedAt + CLOSE_SLICE_MS) / spreadMs)
      for (const due = Math.ceil(leaving.length * share); left < due; left++) this.#leave(leaving[left]!)
      if (left < leaving.length) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, CLOSE_SLICE_MS))
    }
  }

  /** Answers a waiter, or sends a subscriber what it lacks and ends it, as the hub closes. */
  #leave(due: Waiter | Follower): void {
    if (due instanceof Waiter) return this.#answer(due, 'closing')
    this.#send(due)
    this.#unsubscribe(due)
    due.subscriber.end()
  }

  /** A new epoch: every product is new, and every client behind, whatever its version. */
  #startEpoch(catalog: Catalog): void {
    this.#epoch = catalog.epoch
    this.#version = catalog.version
    this.#products = new Map(catalog.products.map((product) => [product.sku, product]))
    this.#changeLog = []
    this.#changed()
    // Queued now, so that a wait in the new epoch before the fan-out's turn is not taken for one of them.
    for (const byCursor of this.#waitersBySku.values()) this.#queueBehind(byCursor, Number.POSITIVE_INFINITY)
    this.#queueBehind(this.#catalogWaiters, Number.POSITIVE_INFINITY)
    for (const follower of this.#followers) this.#queue(follower)
  }

  #changed(): void {
    this.#updates.clear()
    this.#fanOutStartedAt ??= this.#clock.now()
    this.#observer?.changed()
    this.#schedulePump()
  }

  /** The version a client without a cursor is taken to have: it waits for the next change. */
  #currentVersionOf(watch: Watch): number {
    return watch.kind === 'product' ? (this.#products.get(watch.sku)?.version ?? this.#version) : this.#version
  }

  /** Whether a client at `cursor` lacks something it watches: it names another epoch, or a product moved past it. */
  #lacks(watch: Watch, { version, epoch }: Cursor): boolean {
    if (epoch !== undefined && epoch !== this.#epoch) return true
    const skus = skusOf(watch)
    if (!skus) return version < this.#version
    return skus.some((sku) => (this.#products.get(sku)?.version ?? -1) > version)
  }

  /**
   * What a client watching `watch` from `cursor` (of `epoch`) is sent, built once for every client of the
   * same watch and cursor until the next change: the stock of a `product` watch whatever its version; of any
   * other watch, the products that moved past the cursor, or, for a cursor of an earlier epoch, all of them.
   * It says `resync` when the client named an epoch that is not the current one.
   */
  #updateFor(
    { watch, key, cursor, epoch }: Pick<Waiter, 'watch' | 'key' | 'cursor' | 'epoch'>,
    fresh?: ReadonlySet<string>,
  ): Update {
    const resync = cursor.epoch !== undefined && cursor.epoch !== this.#epoch
    const stale = epoch !== this.#epoch
    const from = stale ? 'all' : watch.kind === 'product' ? '' : cursor.version
    const memoKey = fresh?.size ? undefined : `${key}|${resync}|${from}`
    const memo = memoKey === undefined ? undefined : this.#updates.get(memoKey)
    if (memo) return memo
    const since = stale ? -1 : cursor.version
    const newer = (product: ProductStock | undefined): product is ProductStock =>
      product !== undefined && (product.version > since || (fresh?.has(product.sku) ?? false))
    let products: ProductStock[]
    if (watch.kind === 'product') products = [this.#products.get(watch.sku)].filter((p) => p !== undefined)
    else if (watch.kind === 'products') products = watch.skus.map((sku) => this.#products.get(sku)).filter(newer)
    else products = this.#changedSince(since).filter(newer)
    const update = new Update(this.#epoch, this.#version, products, resync)
    if (memoKey !== undefined) this.#updates.set(memoKey, update)
    return update
  }

  /** The products that may have moved past `version`, from the change log when it reaches back that far. */
  #changedSince(version: number): (ProductStock | undefined)[] {
    const oldest = this.#changeLog[0]
    if (!oldest || oldest.version > version + 1) return [...this.#products.values()]
    const skus = new Set<string>()
    for (const change of this.#changeLog) if (change.version > version) for (const sku of change.skus) skus.add(sku)
    return [...skus].map((sku) => this.#products.get(sku))
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return
    this.#pumpScheduled = true
    setImmediate(this.#pump)
  }

  readonly #pump = (): void => {
    const end = Math.min(this.#dueHead + this.#batchSize, this.#due.length)
    while (this.#dueHead < end) {
      const due = this.#due[this.#dueHead++]!
      if (due instanceof Waiter) this.#answer(due, 'changed')
      else this.#send(due)
    }
    this.#pumpScheduled = false
    if (this.#dueHead < this.#due.length) {
      this.#schedulePump()
    } else {
      this.#due.length = 0
      this.#dueHead = 0
      if (this.#fanOutStartedAt !== undefined) this.#observer?.fannedOut(this.#clock.now() - this.#fanOutStartedAt)
      this.#fanOutStartedAt = undefined
      const callbacks = this.#afterFanOut
      this.#afterFanOut = []
      for (const callback of callbacks) callback()
    }
  }

  /** Moves the waiters of `byCursor` whose cursor is before `version` to the fan-out's queue. */
  #queueBehind(byCursor: Map<number, Set<Waiter>> | undefined, version: number): void {
    if (!byCursor) return
    for (const [cursor, waiters] of byCursor) {
      if (cursor >= version) continue
      byCursor.delete(cursor)
      for (const waiter of waiters) this.#due.push(waiter)
    }
  }

  #hold(bySku: Map<string, Map<number, Set<Waiter>>>, sku: string, waiter: Waiter): void {
    let byCursor = bySku.get(sku)
    if (!byCursor) bySku.set(sku, (byCursor = new Map<number, Set<Waiter>>()))
    addTo(byCursor, waiter.cursor.version, waiter)
  }

  #queue(follower: Follower): void {
    if (follower.queued || follower.ended) return
    follower.queued = true
    this.#due.push(follower)
    this.#schedulePump()
  }

  /** Sends a follower what it lacks; one that lacks nothing, or ended meanwhile, is sent nothing. */
  #send(follower: Follower): void {
    follower.queued = false
    if (follower.ended) return
    const { watch, key } = follower.watching
    const cursor = follower.sent
    if (follower.fresh.size === 0 && !this.#lacks(watch, cursor)) return
    const update = this.#updateFor({ watch, key, cursor, epoch: cursor.epoch ?? this.#epoch }, follower.fresh)
    follower.fresh.clear()
    if (update.products.length === 0 && !update.resync) return
    follower.sent = { version: this.#version, epoch: this.#epoch }
    follower.subscriber.send(update)
  }

  #unsubscribe(follower: Follower): void {
    follower.ended = true
    if (!this.#followers.delete(follower)) return
    this.#followersBy[follower.transport]--
    for (const sku of follower.skus ?? []) this.#index.remove(sku, follower)
  }

  #answer(waiter: Waiter, reason: Reason): void {
    if (this.#release(waiter)) waiter.deliver(this.#updateFor(waiter), reason)
  }

  /** Forgets a waiter and its timer; says whether it was still held. */
  #release(waiter: Waiter): boolean {
    if (waiter.settled) return false
    waiter.settled = true
    waiter.cancelTimer()
    const skus = skusOf(waiter.watch)
    if (skus) for (const sku of skus) removeFrom(this.#waitersBySku.get(sku), waiter.cursor.version, waiter)
    else removeFrom(this.#catalogWaiters, waiter.cursor.version, waiter)
    this.#waiting--
    return true
  }
}

function addTo(byCursor: Map<number, Set<Waiter>>, cursor: number, waiter: Waiter): void {
  let waiters = byCursor.get(cursor)
  if (!waiters) byCursor.set(cursor, (waiters = new Set()))
  waiters.add(waiter)
}

function removeFrom(byCursor: Map<number, Set<Waiter>> | undefined, cursor: number, waiter: Waiter): void {
  const waiters = byCursor?.get(cursor)
  if (waiters?.delete(waiter) && waiters.size === 0) byCursor!.delete(cursor)
}
