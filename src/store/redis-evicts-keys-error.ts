import { StoreUnusableError } from './store-unusable-error.js'

/**
 * Redis is set to evict keys when its memory is full: it would drop orders, the ledger and idempotency keys,
 * and the stock would be seeded again and sold twice.
 */
export class RedisEvictsKeysError extends StoreUnusableError {
  readonly code = 'redis_evicts_keys'
}
