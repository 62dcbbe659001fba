import type { Clock } from '../../src/clock.js'

interface Timer {
  readonly at: number
  readonly callback: () => void
}

/** A clock that moves only when a test says so. */
export class ManualClock implements Clock {
  #now = 0
  #nextId = 0
  readonly #timers = new Map<number, Timer>()

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const id = this.#nextId++
    this.#timers.set(id, { at: this.#now + ms, callback })
    return () => this.#timers.delete(id)
  }

  /** How many timers are waiting to fire. */
  get pending(): number {
    return this.#timers.size
  }

  /** Moves time forward, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      const due = [...this.#timers].filter(([, timer]) => timer.at <= until).sort(([, a], [, b]) => a.at - b.at)[0]
      if (!due) break
      const [id, timer] = due
      this.#timers.delete(id)
      this.#now = timer.at
      timer.callback()
    }
    this.#now = until
  }
}
