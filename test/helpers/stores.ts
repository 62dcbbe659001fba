import { MemoryStore } from '../../src/store/memory.js'
import { RedisStore } from '../../src/store/redis.js'
import type { Store, StoreOptions } from '../../src/store/store.js'
import { REDIS_URL, runRedisTests, useKeyPrefixes } from './redis.js'

/** A kind of store, as the tests open it: each store of a fresh stock. */
export interface StoreKind {
  readonly name: string
  readonly open: (options?: StoreOptions) => Promise<Store>
  /** Two stores on one stock, as two processes would have them; the memory store is one store, twice. */
  readonly openTwo: (options?: StoreOptions) => Promise<readonly [Store, Store]>
}

/**
 * Every kind of store the tests run against: the memory store, and the Redis store where Redis answers (in
 * CI always), each test's under a key prefix of its own that is deleted after the test file.
 */
export function useStoreKinds(): readonly StoreKind[] {
  const newPrefix = useKeyPrefixes()
  const memory: StoreKind = {
    name: 'memory',
    open: async (options) => new MemoryStore(options),
    openTwo: async (options) => {
      const store = new MemoryStore(options)
      return [store, store]
    },
  }
  const redisOn = (keyPrefix: string, options?: StoreOptions) =>
    RedisStore.open({ ...options, url: REDIS_URL, keyPrefix })
  const redis: StoreKind = {
    name: 'redis',
    open: (options) => redisOn(newPrefix(), options),
    openTwo: async (options) => {
      const keyPrefix = newPrefix()
      return [await redisOn(keyPrefix, options), await redisOn(keyPrefix, options)]
    },
  }
  return runRedisTests ? [memory, redis] : [memory]
}
