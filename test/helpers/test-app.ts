import { composeStockpoll } from '../../src/compose.js'
import { loadConfig } from '../../src/config.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import { MemoryStore } from '../../src/store/memory.js'
import type { Store } from '../../src/store/store.js'
import { postCartWith } from './cart.js'
import { ManualClock } from './manual-clock.js'

export interface TestAppOptions {
  /** The store; by default one in memory, of the configured catalog, whose holds last `cartTtlSeconds`. */
  readonly store?: Store
  /** 0, the default here, keeps holds until they are removed. */
  readonly cartTtlSeconds?: number
  /** Environment variables for the catalog, the rules and the limits, whose defaults are the server's. */
  readonly env?: Record<string, string>
  readonly maxWaiters?: number
  readonly pollTimeoutSeconds?: number
  /** Where the app logs; by default nowhere. */
  readonly logger?: Logger
  /** The admin API's bearer token; without it, there is no admin API. */
  readonly adminToken?: string
}

/** The whole app over a fresh in-memory store and a manual clock, for `app.request()` tests. */
export async function testApp(options: TestAppOptions = {}) {
  const clock = new ManualClock()
  const { catalog, rules, limits, heartbeatSeconds } = loadConfig(options.env ?? {})
  const {
    cartTtlSeconds = 0,
    store = new MemoryStore({ catalog, rules, holds: { clock, ttlMs: cartTtlSeconds * 1000 } }),
    maxWaiters = 100,
    pollTimeoutSeconds = 25,
    logger = silentLogger,
    adminToken,
  } = options
  const stockpoll = await composeStockpoll({
    store,
    clock,
    logger,
    limits,
    rules,
    maxWaiters,
    pollTimeoutSeconds,
    heartbeatSeconds,
    adminToken,
  })
  const { app } = stockpoll
  return {
    ...stockpoll,
    clock,
    /** `POST /cart` with form-encoded fields, as `curl -d` sends them. */
    postCart: (fields: Record<string, string>, headers?: Record<string, string>) =>
      postCartWith((path, init) => app.request(path, init), fields, headers),
    inventory: async () => (await app.request('/inventory')).json(),
  }
}
