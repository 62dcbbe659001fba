import { StockpollError } from '../stockpoll-error.js'

/** An idempotency key was given with another request than the one it was first used for; nothing was done. */
export class IdempotencyKeyReusedError extends StockpollError {
  readonly code = 'idempotency_key_reused'

  constructor() {
    super('this Idempotency-Key was used for another request; use a new key for a new request')
  }
}
