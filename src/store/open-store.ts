import type { StoreConfig } from '../config.js'
import { MemoryStore } from './memory.js'
import { RedisStore } from './redis.js'
import { SqliteStore } from './sqlite.js'
import type { Store, StoreOptions } from './store.js'

/** The store the configuration names, connected and ready. */
export async function openStore(config: StoreConfig, options: StoreOptions): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return SqliteStore.open({ ...options, file: config.file })
    case 'memory':
      return new MemoryStore(options)
    case 'redis':
      return RedisStore.open({ ...options, url: config.url, keyPrefix: config.keyPrefix })
  }
}
