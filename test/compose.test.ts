import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { composeStockpoll } from '../src/compose.js'
import type { StockSnapshot } from '../src/domain/stock-snapshot.js'
import type { Store } from '../src/store/store.js'
import { ManualClock } from './helpers/manual-clock.js'
import { eventually } from './helpers/eventually.js'
import { useStoreKinds } from './helpers/stores.js'

/**
 * `store`, but a cart changes through `elsewhere` (another process's store on the same stock, or the
 * same one) just after the first snapshot is read, and `store` has heard of it before that read returns,
 * when nobody listens yet: the gap a publish can land in.
 */
function changeAfterFirstRead(store: Store, elsewhere: Store): Store {
  let reads = 0
  return {
    async snapshot(): Promise<StockSnapshot> {
      const snapshot = await store.snapshot()
      if (reads++ > 0) return snapshot
      let stopListening = () => {}
      const heard = new Promise<void>((resolve) => (stopListening = store.onChange(() => resolve())))
      await elsewhere.apply('add', 'early-bird')
      await heard
      stopListening()
      return snapshot
    },
    viewOf: (session) => store.viewOf(session),
    apply: (action, session, idempotencyKey) => store.apply(action, session, idempotencyKey),
    expireHolds: () => store.expireHolds(),
    onChange: (listener) => store.onChange(listener),
    check: () => store.check(),
    rateLimiter: (name, points, durationSeconds) => store.rateLimiter(name, points, durationSeconds),
    close: () => store.close(),
  }
}

const kinds = useStoreKinds()

describe.each(kinds)('composeStockpoll on the $name store', ({ openTwo }) => {
  it('misses no change that lands while the hub is being connected to the store', async () => {
    const [store, elsewhere] = await openTwo()
    const { hub, dispose } = await composeStockpoll({
      store: changeAfterFirstRead(store, elsewhere),
      clock: new ManualClock(),
      logger: silentLogger,
      maxWaiters: 10,
      pollTimeoutSeconds: 25,
      heartbeatSeconds: 15,
      limits: loadConfig({}).limits,
    })
    try {
      // A poller that saw version 0 is answered at once, with the change, not held until some later one.
      await eventually(() => hub.latest.snapshot.version === 1, 1000)
      const answered = await new Promise<StockSnapshot>((resolve) =>
        hub.wait({ version: 0 }, 25_000, ({ snapshot }) => resolve(snapshot)),
      )
      expect(answered).toMatchObject({ inventoryCount: 9, version: 1 })
    } finally {
      await dispose()
      await elsewhere.close()
    }
  })
})
