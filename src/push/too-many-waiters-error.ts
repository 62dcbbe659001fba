import { StockpollError } from '../stockpoll-error.js'

/** The hub already holds as many waiters and subscribers as it may; nothing was held. */
export class TooManyWaitersError extends StockpollError {
  readonly code = 'too_many_waiters'

  constructor(maxWaiters: number) {
    super(`this server already holds ${maxWaiters} waiting requests, streams and sockets; try again shortly`)
  }
}
