import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { composeStockpoll } from '../src/compose.js'
import type { StockSnapshot } from '../src/domain/stock-snapshot.js'
import { MemoryStore } from '../src/store/memory.js'
import { ManualClock } from './helpers/manual-clock.js'
import { anyEpoch } from './helpers/stock.js'

/** A store in which a cart changes just after the first snapshot is read, before anyone listens. */
class ChangeAfterFirstRead extends MemoryStore {
  #reads = 0

  override async snapshot(): Promise<StockSnapshot> {
    const snapshot = await super.snapshot()
    if (this.#reads++ === 0) await this.apply('add', 'early-bird')
    return snapshot
  }
}

describe('composeStockpoll', () => {
  it('misses no change that lands while the hub is being connected to the store', async () => {
    const { hub } = await composeStockpoll({
      store: new ChangeAfterFirstRead(),
      clock: new ManualClock(),
      maxWaiters: 10,
      pollTimeoutSeconds: 25,
      heartbeatSeconds: 15,
      limits: loadConfig({}).limits,
    })
    expect(hub.latest.snapshot).toEqual({ inventoryCount: 9, totalInventory: 10, version: 1, epoch: anyEpoch })
  })
})
