import type { Clock } from '../clock.js'

/** Told of what the fan-out does, for metrics. */
export interface FanOutObserver {
  /** A new version was published. */
  changed(): void
  /** Every client due since the first unsent version was sent it, `ms` after that version came. */
  fannedOut(ms: number): void
}

/**
 * Small enough that a turn of the event loop stays within a few milliseconds even when each answer costs
 * tens of microseconds, so that a writer waits at most a few short turns during a large fan-out.
 */
const DEFAULT_BATCH_SIZE = 64

export interface FanOutOptions<T> {
  readonly clock: Clock
  readonly send: (due: T) => void
  readonly batchSize?: number | undefined
  readonly observer?: FanOutObserver | undefined
}

/**
 * Sends the clients a change made due, `batchSize` a turn of the event loop, on turns after the one that
 * queued them: the writer whose change caused them is answered first, and a writer arriving mid-way waits one
 * short turn, not the whole fan-out. Tells its listeners when it has sent the last one.
 */
export class FanOut<T> {
  readonly #clock: Clock
  readonly #send: (due: T) => void
  readonly #batchSize: number
  readonly #observer: FanOutObserver | undefined
  readonly #due: T[] = []
  #head = 0
  #scheduled = false
  /** When the oldest version not yet sent to everyone due was published. */
  #startedAt: number | undefined
  readonly #endListeners = new Set<() => void>()

  constructor({ clock, send, batchSize = DEFAULT_BATCH_SIZE, observer }: FanOutOptions<T>) {
    this.#clock = clock
    this.#send = send
    this.#batchSize = batchSize
    this.#observer = observer
  }

  /** Whether some clients are still due. */
  get running(): boolean {
    return this.#scheduled
  }

  /** A new version: its fan-out is timed from now, unless one under way already is. */
  changed(): void {
    this.#startedAt ??= this.#clock.now()
    this.#observer?.changed()
    this.#schedule()
  }

  queue(due: T): void {
    this.#due.push(due)
    this.#schedule()
  }

  /** Calls `listener` whenever a fan-out has sent its last client; the returned function stops that. */
  onEnd(listener: () => void): () => void {
    this.#endListeners.add(listener)
    return () => this.#endListeners.delete(listener)
  }

  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(this.#pump)
  }

  readonly #pump = (): void => {
    const end = Math.min(this.#head + this.#batchSize, this.#due.length)
    while (this.#head < end) this.#send(this.#due[this.#head++]!)
    this.#scheduled = false
    if (this.#head < this.#due.length) return this.#schedule()
    this.#due.length = 0
    this.#head = 0
    if (this.#startedAt !== undefined) this.#observer?.fannedOut(this.#clock.now() - this.#startedAt)
    this.#startedAt = undefined
    for (const listener of this.#endListeners) listener()
  }
}
