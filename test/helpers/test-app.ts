import { composeStockpoll } from '../../src/compose.js'
import { loadConfig } from '../../src/config.js'
import { MemoryStore } from '../../src/store/memory.js'
import type { Store } from '../../src/store/store.js'
import { ManualClock } from './manual-clock.js'

export interface TestAppOptions {
  readonly store?: Store
  /** Environment variables for the limits, whose defaults are the server's. */
  readonly limitsEnv?: Record<string, string>
  readonly maxWaiters?: number
  readonly pollTimeoutSeconds?: number
}

/** The whole app over a fresh in-memory store and a manual clock, for `app.request()` tests. */
export async function testApp({
  store = new MemoryStore(),
  limitsEnv = {},
  maxWaiters = 100,
  pollTimeoutSeconds = 25,
}: TestAppOptions = {}) {
  const clock = new ManualClock()
  const { limits, heartbeatSeconds } = loadConfig(limitsEnv)
  const stockpoll = await composeStockpoll({ store, clock, limits, maxWaiters, pollTimeoutSeconds, heartbeatSeconds })
  const { app } = stockpoll
  return {
    ...stockpoll,
    clock,
    /** `POST /cart` with form-encoded fields, as `curl -d` sends them. */
    postCart: (fields: Record<string, string>) =>
      app.request('/cart', { method: 'POST', body: new URLSearchParams(fields) }),
    inventory: async () => (await app.request('/inventory')).json(),
  }
}
