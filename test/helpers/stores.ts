import { MemoryStore } from '../../src/store/memory.js'
import { RedisStore } from '../../src/store/redis.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import type { Store, StoreOptions } from '../../src/store/store.js'
import { useDatabaseFiles } from './database-files.js'
import { REDIS_URL, runRedisTests, useKeyPrefixes } from './redis.js'

/** A kind of store, as the tests open it: each store of a fresh stock. */
export interface StoreKind {
  readonly name: string
  readonly open: (options?: StoreOptions) => Promise<Store>
  /**
   * Two stores on one stock, as two processes would have them; a store of one process (memory, SQLite) is
   * one store, twice.
   */
  readonly openTwo: (options?: StoreOptions) => Promise<readonly [Store, Store]>
}

/** A store of one process: `openTwo` gives the one store twice. */
const oneProcess = (name: string, open: (options?: StoreOptions) => Store): StoreKind => ({
  name,
  open: async (options) => open(options),
  openTwo: async (options) => {
    const store = open(options)
    return [store, store]
  },
})

/**
 * Every kind of store the tests run against: the memory store, the SQLite store, each test's in a file of
 * its own, and the Redis store where Redis answers (in CI always), each test's under a key prefix of its own;
 * files and keys are deleted after the test file.
 */
export function useStoreKinds(): readonly StoreKind[] {
  const newPrefix = useKeyPrefixes()
  const newFile = useDatabaseFiles()
  const memory = oneProcess('memory', (options) => new MemoryStore(options))
  const sqlite = oneProcess('sqlite', (options) => SqliteStore.open({ ...options, file: newFile() }))
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
  return runRedisTests ? [memory, sqlite, redis] : [memory, sqlite]
}
