import { openMemoryStore } from './memory.js'
import { openPostgresStore } from './postgres.js'
import { openRedisStore } from './redis.js'
import type { RedisServer } from './redis-server.js'
import { openSqliteStore } from './sqlite.js'
import type { StoreOptions, StoreParts } from './store.js'

/** Which store to open, as the configuration names it. */
export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis'
      readonly server: RedisServer
      readonly keyPrefix: string
      readonly waitReplicas: number
    }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string }

/** The store the configuration names, connected and ready. */
export async function openStore(config: StoreConfig, options: StoreOptions): Promise<StoreParts> {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteStore({ ...options, file: config.file })
    case 'memory':
      return openMemoryStore(options)
    case 'redis':
      return openRedisStore({
        ...options,
        ...config.server,
        keyPrefix: config.keyPrefix,
        waitReplicas: config.waitReplicas,
      })
    case 'postgres':
      return openPostgresStore({ ...options, url: config.url, schema: config.schema })
  }
}
