import type { StoreConfig } from '../config.js'
import { MemoryStore } from './memory.js'
import { RedisStore } from './redis.js'
import type { HoldPolicy, Store } from './store.js'

/** The store the configuration names, connected and ready. */
export function openStore(config: StoreConfig, totalInventory: number, holds: HoldPolicy): Promise<Store> {
  return config.kind === 'redis'
    ? RedisStore.open({ url: config.url, keyPrefix: config.keyPrefix, totalInventory, holds })
    : Promise.resolve(new MemoryStore(totalInventory, holds))
}
