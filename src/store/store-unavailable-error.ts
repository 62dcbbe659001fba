import { StockpollError } from '../stockpoll-error.js'

/**
 * The store cannot be reached, or did not answer in time. The action may or may not have been applied;
 * since every action is idempotent, trying it again is safe.
 */
export class StoreUnavailableError extends StockpollError {
  readonly code = 'store_unavailable'
}
