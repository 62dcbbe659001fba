import { BurstyRateLimiter, RateLimiterRes } from 'rate-limiter-flexible'
import type { Store } from '../../store/store.js'
import { ApiError } from '../api-error.js'

/** How long a burst's extra actions take to come back. */
const BURST_WINDOW_SECONDS = 10

/**
 * Actions per second for each key (a client address, a session), with a burst of as many again once every
 * `BURST_WINDOW_SECONDS`. The counts are kept where the store keeps its shared state: in Redis every process
 * sharing it counts together, and in memory this process counts alone. rate-limiter-flexible does the
 * counting, in a fixed window, atomically on Redis, and falls back to counting in this process while Redis
 * is out of reach.
 */
export class RateLimit {
  readonly #limiter: BurstyRateLimiter

  constructor(store: Store, name: string, perSecond: number) {
    this.#limiter = new BurstyRateLimiter(
      store.rateLimiter(name, perSecond, 1),
      store.rateLimiter(`${name}-burst`, perSecond, BURST_WINDOW_SECONDS),
    )
  }

  /** Counts one action for `key`; past the rate, throws `rateLimited(why, …)`. */
  async take(key: string, why: string): Promise<void> {
    try {
      await this.#limiter.consume(key)
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) throw rateLimited(why, refusal.msBeforeNext)
      throw refusal
    }
  }
}

/** A 429 saying `why`, with when to try again: `msBeforeNext` in whole seconds, at least one. */
export function rateLimited(why: string, msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000))
  return new ApiError(429, 'rate_limited', `${why}; try again in ${seconds} s`, { 'Retry-After': String(seconds) })
}
