import type { Awaitable } from '../../src/domain/stock-state.js'
import type { ChangeListener } from '../../src/store/change-feed.js'
import { openMemoryStore } from '../../src/store/memory.js'
import { openRedisStore } from '../../src/store/redis.js'
import type { RedisServer } from '../../src/store/redis-server.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { StockRepository, StoreOptions, StoreParts } from '../../src/store/store.js'
import { useDatabaseFiles } from './database-files.js'
import { DATABASE_URL, runPostgresTests, useSchemas } from './postgres.js'
import { REDIS_URL, runRedisTests, useKeyPrefixes } from './redis.js'
import { clusterNodesOf, useRedisCluster } from './redis-cluster.js'

/**
 * A store as the contract suites use it: its repository's operations, its feed's listening as `onChange`,
 * a `check` of both, and `close` of all its parts.
 */
export type TestStore = StockRepository & {
  readonly parts: StoreParts
  onChange(listener: ChangeListener): () => void
  close(): Promise<void>
}

export function testStoreOf(parts: StoreParts): TestStore {
  const { repository, feed } = parts
  const extra: Record<PropertyKey, unknown> = {
    parts,
    onChange: (listener: ChangeListener) => feed.listen(listener),
    check: async () => {
      await repository.check()
      await feed.check()
    },
    close: () => parts.close(),
  }
  return new Proxy(repository, {
    get(target, property) {
      if (property in extra) return extra[property]
      const value: unknown = Reflect.get(target, property)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  }) as TestStore
}

/** A kind of store, as the tests open it: each store of a fresh stock. */
export interface StoreKind {
  readonly name: string
  readonly open: (options?: StoreOptions) => Promise<TestStore>
  /**
   * Two stores on one stock, as two processes would have them; a store of one process (memory, SQLite) is
   * one store, twice.
   */
  readonly openTwo: (options?: StoreOptions) => Promise<readonly [TestStore, TestStore]>
}

/** A store of one process: `openTwo` gives the one store twice. */
const oneProcess = (name: string, open: (options?: StoreOptions) => Awaitable<StoreParts>): StoreKind => ({
  name,
  open: async (options) => testStoreOf(await open(options)),
  openTwo: async (options) => {
    const store = testStoreOf(await open(options))
    return [store, store]
  },
})

/**
 * Every kind of store the tests run against: the memory store, the SQLite store, each test's in a file of
 * its own, and the Redis store where Redis answers (in CI always), on one server and on a Redis Cluster of the
 * file's own, each test's under a key prefix of its own, and the PostgreSQL store where PostgreSQL answers,
 * each test's in a schema of its own; files, keys and schemas are deleted after the test file.
 */
export function useStoreKinds(): readonly StoreKind[] {
  const newPrefix = useKeyPrefixes()
  const newFile = useDatabaseFiles()
  const newSchema = useSchemas()
  const memory = oneProcess('memory', (options) => openMemoryStore(options))
  const sqlite = oneProcess('sqlite', (options) => openSqliteStore({ ...options, file: newFile() }))
  const redisKind = (name: string, server: () => RedisServer): StoreKind => {
    const on = async (keyPrefix: string, options?: StoreOptions) =>
      testStoreOf(await openRedisStore({ ...options, ...server(), keyPrefix }))
    return {
      name,
      open: (options) => on(newPrefix(), options),
      openTwo: async (options) => {
        const keyPrefix = newPrefix()
        return [await on(keyPrefix, options), await on(keyPrefix, options)]
      },
    }
  }
  const redis = runRedisTests ? [redisKind('redis', () => ({ url: REDIS_URL }))] : []
  const cluster = runRedisTests ? useRedisCluster() : undefined
  const redisCluster = cluster ? [redisKind('redis-cluster', () => ({ clusterNodes: clusterNodesOf(cluster()) }))] : []
  const postgresOn = async (schema: string, options?: StoreOptions) =>
    testStoreOf(await openPostgresStore({ ...options, url: DATABASE_URL, schema }))
  const postgres: StoreKind = {
    name: 'postgres',
    open: (options) => postgresOn(newSchema(), options),
    openTwo: async (options) => {
      const schema = newSchema()
      return [await postgresOn(schema, options), await postgresOn(schema, options)]
    },
  }
  return [memory, sqlite, ...redis, ...redisCluster, ...(runPostgresTests ? [postgres] : [])]
}
