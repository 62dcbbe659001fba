import type { Clock } from '../clock.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'
import { publishedOf, type Published } from './published.js'

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
}

export interface WaitOptions {
  readonly timeoutMs: number
  /** Aborted when the client goes away: its waiter is dropped at once. */
  readonly signal?: AbortSignal
}

const DEFAULT_BATCH_SIZE = 256

class Waiter {
  settled = false
  cancelTimer: () => void = () => {}
  onAbort: (() => void) | undefined

  constructor(
    readonly cursor: number,
    readonly resolve: (published: Published) => void,
    readonly signal: AbortSignal | undefined,
  ) {}
}

/**
 * Holds requests until the stock moves past their cursor.
 *
 * The hub knows versions, not carts: it is told of each new snapshot by `publish` and answers every waiter
 * whose cursor is behind with the same pre-serialised body. Answers go out in batches on later turns of the
 * event loop, so the writer whose change caused them is answered first, and a burst of changes within one
 * turn wakes each waiter once, with the newest version.
 */
export class Hub {
  readonly #clock: Clock
  readonly #maxWaiters: number
  readonly #batchSize: number
  #latest: Published
  readonly #waitersByCursor = new Map<number, Set<Waiter>>()
  #held = 0
  readonly #due: Waiter[] = []
  #dueHead = 0
  #pumpScheduled = false
  #closed = false

  constructor(initial: StockSnapshot, options: HubOptions) {
    this.#clock = options.clock
    this.#maxWaiters = options.maxWaiters
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
    this.#latest = publishedOf(initial)
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

  /** Records a new version; one that is not newer than the latest (a repeat, or out of order) is ignored. */
  publish(snapshot: StockSnapshot): void {
    if (snapshot.version <= this.#latest.snapshot.version) return
    this.#latest = publishedOf(snapshot)
    this.#schedulePump()
  }

  /**
   * Resolves with the first version after `since` (or after the latest, without it), or with the latest when
   * the timeout passes, the client goes away or the hub closes. Rejects with `TooManyWaitersError` when full.
   */
  wait(since: number | undefined, { timeoutMs, signal }: WaitOptions): Promise<Published> {
    const latest = this.#latest
    const cursor = since ?? latest.snapshot.version
    if (cursor < latest.snapshot.version || this.#closed || signal?.aborted) return Promise.resolve(latest)
    if (this.#held >= this.#maxWaiters) return Promise.reject(new TooManyWaitersError(this.#maxWaiters))

    return new Promise((resolve) => {
      const waiter = new Waiter(cursor, resolve, signal)
      let peers = this.#waitersByCursor.get(cursor)
      if (!peers) this.#waitersByCursor.set(cursor, (peers = new Set()))
      peers.add(waiter)
      this.#held++
      waiter.cancelTimer = this.#clock.setTimeout(() => this.#answer(waiter), timeoutMs)
      if (signal) {
        waiter.onAbort = () => this.#answer(waiter)
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
    })
  }

  /** Answers every waiter with the latest version, and every later wait at once: for shutting down. */
  close(): void {
    this.#closed = true
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
    const end = Math.min(this.#dueHead + this.#batchSize, this.#due.length)
    while (this.#dueHead < end) this.#answer(this.#due[this.#dueHead++]!)
    if (this.#dueHead < this.#due.length) {
      this.#schedulePump()
    } else {
      this.#due.length = 0
      this.#dueHead = 0
    }
  }

  #answer(waiter: Waiter): void {
    if (waiter.settled) return
    waiter.settled = true
    waiter.cancelTimer()
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort)
    const peers = this.#waitersByCursor.get(waiter.cursor)
    if (peers?.delete(waiter) && peers.size === 0) this.#waitersByCursor.delete(waiter.cursor)
    this.#held--
    waiter.resolve(this.#latest)
  }
}
