import type { Transport } from './transport.js'
import type { Update } from './update.js'
import { keyOf, skusOf, type Cursor, type Watch } from './watch.js'

/** Why a client is sent an update: a product it watches moved past its cursor, its time was up, or the hub is closing. */
export type Reason = 'changed' | 'timeout' | 'closing'

/** Where a transport takes what the hub sends one client: straight to its socket. */
export interface Sink {
  /** Sends what the client lacks, and why now; never with nothing but to a long poll, which is sent once. */
  send(update: Update, reason: Reason): void
  /** Ends a stream that the closing hub has sent what it lacked; never called for a long poll. */
  end(): void
}

/** What a subscription needs of the hub that holds it. */
export interface Holder {
  watching(subscription: Subscription, added: readonly string[], removed: readonly string[]): void
  end(subscription: Subscription): void
}

/**
 * One client the hub holds, and its transport's handle on it: a long poll, answered once (`once`), or a
 * stream, sent every change it watches until it ends. It is sent what it lacks from its cursor, which moves
 * to the catalog's version with every update.
 */
export class Subscription {
  /** Whether it is in the fan-out's queue now, so that a burst of versions queues it once. */
  queued = false
  ended = false
  /** Cancels a long poll's timer. */
  cancelTimer: () => void = () => {}
  /**
   * SKUs it watches whose stock it must be sent whatever their version: it has just started watching them.
   * Made only when there are some, since most subscriptions never change what they watch.
   */
  #fresh: Set<string> | undefined
  #watch: Watch
  #key: string

  constructor(
    readonly transport: Transport,
    watch: Watch,
    /** What it was sent last, or what its client said it has. */
    public cursor: Cursor,
    /** The epoch its cursor is of: the one it named, or the one current when it began. */
    public epoch: string,
    readonly sink: Sink,
    readonly once: boolean,
    readonly holder: Holder,
  ) {
    this.#watch = watch
    this.#key = keyOf(watch)
  }

  get watched(): Watch {
    return this.#watch
  }

  /** The key of what it watches, made again only when that changes. */
  get key(): string {
    return this.#key
  }

  /** Whether it has just started watching SKUs whose stock it must be sent. */
  get hasFresh(): boolean {
    return (this.#fresh?.size ?? 0) > 0
  }

  /** The SKUs it must be sent whatever their version, forgotten as they are taken. */
  takeFresh(): ReadonlySet<string> | undefined {
    const fresh = this.#fresh
    this.#fresh = undefined
    return fresh
  }

  /** Watches `skus` too, a stream of some products: their stock is sent on the next turn, whatever the client has. */
  watch(skus: readonly string[]): void {
    const watched = skusOf(this.#watch)
    if (this.ended || !watched) return
    const added = skus.filter((sku) => !watched.includes(sku))
    const fresh = (this.#fresh ??= new Set())
    for (const sku of skus) fresh.add(sku)
    this.#rewatch([...watched, ...added])
    this.holder.watching(this, added, [])
  }

  /** Stops watching `skus`. */
  unwatch(skus: readonly string[]): void {
    const watched = skusOf(this.#watch)
    if (this.ended || !watched) return
    const removed = watched.filter((sku) => skus.includes(sku))
    for (const sku of removed) this.#fresh?.delete(sku)
    this.#rewatch(watched.filter((sku) => !skus.includes(sku)))
    this.holder.watching(this, [], removed)
  }

  /** Ends it, for a client that went away. */
  end(): void {
    this.holder.end(this)
  }

  #rewatch(skus: readonly string[]): void {
    this.#watch = { kind: 'products', skus }
    this.#key = keyOf(this.#watch)
  }
}
