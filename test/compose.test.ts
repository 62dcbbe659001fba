import { describe, expect, it } from 'vitest'
import { composeStockpoll } from '../src/compose.js'
import { loadConfig } from '../src/config.js'
import type { CatalogSnapshot } from '../src/domain/catalog.js'
import { silentLogger } from '../src/logger.js'
import type { StockRepository, StoreParts } from '../src/store/store.js'
import type { TestStore } from './helpers/stores.js'
import { CLASSIC_WATCH } from './helpers/catalogs.js'
import { eventually } from './helpers/eventually.js'
import { ManualClock } from './helpers/manual-clock.js'
import { useStoreKinds } from './helpers/stores.js'
import type { Update } from '../src/push/update.js'

/**
 * `store`, but a cart changes through `elsewhere` (another process's store on the same stock, or the
 * same one) just after the first catalog is read, and `store` has heard of it before that read returns,
 * when nobody listens yet: the gap a publish can land in.
 */
function changeAfterFirstRead(store: TestStore, elsewhere: TestStore): StoreParts {
  let reads = 0
  async function catalog(skus?: readonly string[]): Promise<CatalogSnapshot> {
    const read = await store.catalog(skus)
    if (reads++ > 0) return read
    let stopListening = () => {}
    const heard = new Promise<void>((resolve) => (stopListening = store.onChange(() => resolve())))
    await elsewhere.apply({ session: 'early-bird', sku: 'default', request: { action: 'add' } })
    await heard
    stopListening()
    return read
  }
  const { repository } = store.parts
  return {
    ...store.parts,
    repository: new Proxy(repository, {
      get: (target, property: keyof StockRepository) =>
        property === 'catalog' ? catalog : target[property].bind(target),
    }),
  }
}

const kinds = useStoreKinds()

describe.each(kinds)('composeStockpoll on the $name store', ({ openTwo }) => {
  it('misses no change that lands while the hub is being connected to the store', async () => {
    const [store, elsewhere] = await openTwo()
    const { limits, rules, display } = loadConfig({})
    const { hub, dispose } = await composeStockpoll({
      store: changeAfterFirstRead(store, elsewhere),
      clock: new ManualClock(),
      logger: silentLogger,
      maxWaiters: 10,
      pollTimeoutSeconds: 25,
      heartbeatSeconds: 15,
      limits,
      rules,
      display,
    })
    try {
      // A poller that saw version 0 is answered at once, with the change, not held until some later one.
      await eventually(() => hub.version === 1, 1000)
      const answered = await new Promise<Update>((resolve) => hub.wait(CLASSIC_WATCH, { version: 0 }, 25_000, resolve))
      expect(answered.products[0]).toMatchObject({ held: 1, version: 1 })
    } finally {
      await dispose()
      await elsewhere.close()
    }
  })
})
