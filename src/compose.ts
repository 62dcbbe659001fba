import { createApp, type AppDeps, type StockpollApp } from './http/app.js'
import { Metrics } from './metrics.js'
import { sweepExpiredHolds } from './expiry-sweeps.js'
import { CatalogMirror } from './push/catalog-mirror.js'
import { Hub } from './push/hub.js'

export interface StockpollParts extends Omit<AppDeps, 'hub' | 'metrics' | 'defaultSku'> {
  readonly maxWaiters: number
}

export interface Stockpoll extends StockpollApp {
  readonly hub: Hub
  /** Stops the hub hearing of changes and the sweeps of lapsed holds, and closes the store. */
  readonly dispose: () => Promise<void>
}

/**
 * Connects a store to a fresh hub, so that every change reaches the waiters, sweeps the store's lapsed holds,
 * counts what they do, and builds the app over both.
 */
export async function composeStockpoll({
  store,
  clock,
  logger,
  maxWaiters,
  ...appOptions
}: StockpollParts): Promise<Stockpoll> {
  const metrics = new Metrics()
  const catalog = await store.catalog()
  const hub = new Hub(new CatalogMirror(catalog), { clock, maxWaiters, observer: metrics })
  metrics.watch(() => hub.heldByTransport())
  const stopPublishing = store.onChange((snapshot) => hub.publish(snapshot))
  // A change that landed between the first read and the subscription reached no listener; a second read
  // after subscribing catches it (the hub ignores it if it is not newer).
  hub.publish(await store.catalog())
  const stopSweeping = sweepExpiredHolds({ store, clock, logger })
  return {
    // The catalog's first product, as the store keeps it: every process sharing the store agrees on it.
    ...createApp({ store, hub, clock, logger, metrics, defaultSku: catalog.products[0]!.sku, ...appOptions }),
    hub,
    async dispose() {
      stopSweeping()
      stopPublishing()
      await store.close()
    },
  }
}
