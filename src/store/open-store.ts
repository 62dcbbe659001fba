import type { StoreConfig } from '../config.js'
import { openMemoryStore } from './memory.js'
import { openRedisStore } from './redis.js'
import { openSqliteStore } from './sqlite.js'
import type { StoreOptions, StoreParts } from './store.js'

/** The store the configuration names, connected and ready. */
export async function openStore(config: StoreConfig, options: StoreOptions): Promise<StoreParts> {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteStore({ ...options, file: config.file })
    case 'memory':
      return openMemoryStore(options)
    case 'redis':
      return openRedisStore({ ...options, url: config.url, keyPrefix: config.keyPrefix })
  }
}
