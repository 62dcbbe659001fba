import type { StoreConfig } from '../config.js'
import { MemoryStore } from './memory.js'
import { RedisStore } from './redis.js'
import type { Store, StoreOptions } from './store.js'

/** The store the configuration names, connected and ready. */
export function openStore(config: StoreConfig, options: StoreOptions): Promise<Store> {
  return config.kind === 'redis'
    ? RedisStore.open({ ...options, url: config.url, keyPrefix: config.keyPrefix })
    : Promise.resolve(new MemoryStore(options))
}
