import { StoreUnusableError } from './store-unusable-error.js'

/** Redis is older than 7, whose script flags stockpoll's scripts need to be refused whole when it is full. */
export class RedisTooOldError extends StoreUnusableError {
  readonly code = 'redis_too_old'
}
