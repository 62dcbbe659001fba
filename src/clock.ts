/** Time, injected so that tests can move it forward instead of waiting for it. */
export interface Clock {
  now(): number
  /** Calls `callback` after `ms`; the returned function cancels the call. */
  setTimeout(callback: () => void, ms: number): () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms)
    return () => clearTimeout(timer)
  },
}
