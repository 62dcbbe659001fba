import { composeStockpoll } from '../../src/compose.js'
import { MemoryStore } from '../../src/store/memory.js'
import type { Store } from '../../src/store/store.js'
import { ManualClock } from './manual-clock.js'

export interface TestAppOptions {
  readonly store?: Store
  readonly maxWaiters?: number
  readonly pollTimeoutSeconds?: number
}

/** The whole app over a fresh in-memory store and a manual clock, for `app.request()` tests. */
export async function testApp({ store = new MemoryStore(), maxWaiters = 100, pollTimeoutSeconds = 25 }: TestAppOptions = {}) {
  const clock = new ManualClock()
  const stockpoll = await composeStockpoll({ store, clock, maxWaiters, pollTimeoutSeconds, heartbeatSeconds: 15 })
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
