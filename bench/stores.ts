// The same cart actions on each store: how many a second one stockpoll process takes from writers that send
// the next the moment the last is answered, each on a kept-alive connection of its own, and how long they wait.
import { performance } from 'node:perf_hooks'
import { nanoid } from 'nanoid'
import { Redis } from 'ioredis'
import pg from 'pg'
import { Connection, postFormRequest } from './raw-http.js'
import { startBenchServer } from './server-process.js'
import { spreadOf, type Spread } from './stats.js'

export const STORE_KINDS = ['memory', 'sqlite', 'postgres', 'redis'] as const
export type StoreKind = (typeof STORE_KINDS)[number]

export interface StoreResult {
  readonly store: StoreKind
  readonly actionsPerSecond: number
  readonly latencyMs: Spread
  readonly errors: number
}

export interface StoresOptions {
  readonly stores: readonly StoreKind[]
  readonly writers: number
  readonly seconds: number
  readonly redisUrl: string
  readonly databaseUrl: string
}

/** Each store's variables, under a prefix or schema of this run's own, and how to clear it away after. */
function storeUnderTest(store: StoreKind, options: StoresOptions) {
  const run = `bench_${nanoid(8)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')}`
  switch (store) {
    case 'memory':
    case 'sqlite':
      return { env: { STORE: store }, clear: async () => {} }
    case 'postgres':
      return {
        env: { STORE: store, DATABASE_URL: options.databaseUrl, DATABASE_SCHEMA: run },
        clear: async () => {
          const client = new pg.Client({ connectionString: options.databaseUrl })
          await client.connect()
          await client.query(`DROP SCHEMA IF EXISTS "${run}" CASCADE`)
          await client.end()
        },
      }
    case 'redis':
      return {
        env: { STORE: store, REDIS_URL: options.redisUrl, STORE_KEY_PREFIX: `${run}:` },
        clear: async () => {
          const redis = new Redis(options.redisUrl)
          const keys = await redis.keys(`${run}:*`)
          if (keys.length > 0) await redis.del(...keys)
          redis.disconnect()
        },
      }
  }
}

export async function measureStores(options: StoresOptions): Promise<StoreResult[]> {
  const results: StoreResult[] = []
  for (const store of options.stores) {
    const { env, clear } = storeUnderTest(store, options)
    const server = await startBenchServer('stockpoll', env)
    try {
      const connections = await Promise.all(
        Array.from({ length: options.writers }, () => Connection.open(server.target)),
      )
      const latencies: number[] = []
      let errors = 0
      const started = performance.now()
      const deadline = started + options.seconds * 1000
      await Promise.all(
        connections.map(async (connection, i) => {
          for (let n = 0; performance.now() < deadline; n++) {
            const sent = performance.now()
            const answer = await connection.request(
              postFormRequest('/cart', { session: `writer-${i}`, action: n % 2 ? 'remove' : 'add' }),
            )
            if (answer.status === 200) latencies.push(performance.now() - sent)
            else errors++
          }
        }),
      )
      const elapsed = (performance.now() - started) / 1000
      for (const connection of connections) connection.close()
      results.push({ store, actionsPerSecond: latencies.length / elapsed, latencyMs: spreadOf(latencies), errors })
    } finally {
      await server.stop()
      await clear()
    }
  }
  return results
}

/** What the stores run measured, with how. */
export interface StoresRun {
  readonly writers: number
  readonly seconds: number
  readonly results: readonly StoreResult[]
}

/** The stores' figures as a table. */
export function storesReport({ writers, seconds, results }: StoresRun): string {
  const rows = results.map(({ store, actionsPerSecond, latencyMs, errors }) =>
    [
      store.padEnd(10),
      actionsPerSecond.toFixed(0).padStart(10),
      latencyMs.p50.toFixed(1).padStart(9),
      latencyMs.p99.toFixed(1).padStart(8),
      latencyMs.max.toFixed(1).padStart(8),
      String(errors).padStart(7),
    ].join(' '),
  )
  return [
    `Stores: ${writers} writers sending POST /cart back to back for ${seconds} s each, one stockpoll process (ms)`,
    'store      actions/s  POST p50      p99      max  errors',
    ...rows,
  ].join('\n')
}
