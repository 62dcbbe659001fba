import { StockpollError } from '../stockpoll-error.js'

/** A client or session past its rate; nothing was done. */
export class RateLimitedError extends StockpollError {
  readonly code = 'rate_limited'
  /** When to try again, in whole seconds, at least one. */
  readonly retryAfterSeconds: number

  constructor(why: string, msBeforeNext: number) {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000))
    super(`${why}; try again in ${seconds} s`)
    this.retryAfterSeconds = seconds
  }
}
