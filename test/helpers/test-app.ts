import { afterEach } from 'vitest'
import { composeStockpoll, type WebhookOptions } from '../../src/compose.js'
import { loadConfig } from '../../src/config.js'
import { listen } from '../../src/listen.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import { LocalFeed } from '../../src/store/change-feed.js'
import { memoryStoreParts, openMemoryStore, type MemoryRepository } from '../../src/store/memory.js'
import type { StoreOptions, StoreParts } from '../../src/store/store.js'
import { postCartWith } from './cart.js'
import { eventually } from './eventually.js'
import { requestTo } from './http-request.js'
import { ManualClock } from './manual-clock.js'

export interface TestAppOptions {
  /** The store; by default one in memory, of the configured catalog, whose holds last `cartTtlSeconds`. */
  readonly store?: (options: StoreOptions) => StoreParts
  /** 0, the default here, keeps holds until they are removed. */
  readonly cartTtlSeconds?: number
  /** Environment variables for the catalog, the rules and the limits, whose defaults are the server's. */
  readonly env?: Record<string, string>
  readonly maxWaiters?: number
  readonly pollTimeoutSeconds?: number
  /** Where the app logs; by default nowhere. */
  readonly logger?: Logger
  /** The admin API's bearer token; without it, there is no admin API. */
  readonly adminToken?: string
  /** Where webhooks go; without it, none are sent. */
  readonly webhooks?: WebhookOptions
}

/** The memory store, its repository made by `make`: one of a test's own, that fails as the test says. */
export const memoryStoreWith =
  (make: (options: StoreOptions, feed: LocalFeed) => MemoryRepository) =>
  (options: StoreOptions): StoreParts => {
    const feed = new LocalFeed()
    return memoryStoreParts(make(options, feed), feed)
  }

const running: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()))
})

/**
 * The whole of stockpoll over a fresh in-memory store and a manual clock, served on a loopback port of its
 * own, both front doors: `app.request()` sends a request to it as a client would, and is answered as one is.
 */
export async function testApp(options: TestAppOptions = {}) {
  const clock = new ManualClock()
  const { catalog, rules, display, limits, heartbeatSeconds, shopName, checkoutToken } = loadConfig(options.env ?? {})
  const {
    cartTtlSeconds = 0,
    store = openMemoryStore,
    maxWaiters = 100,
    pollTimeoutSeconds = 25,
    logger = silentLogger,
    adminToken,
    webhooks,
  } = options
  const stockpoll = await composeStockpoll({
    store: store({ catalog, rules, holds: { clock, ttlMs: cartTtlSeconds * 1000 } }),
    clock,
    logger,
    limits,
    rules,
    display,
    maxWaiters,
    pollTimeoutSeconds,
    heartbeatSeconds,
    adminToken,
    checkoutToken,
    shopName,
    webhooks,
  })
  const { server, url, sockets } = await listen(() => stockpoll, {
    host: '127.0.0.1',
    port: 0,
    headersTimeoutSeconds: limits.headersTimeoutSeconds,
  })
  let stopped = false
  running.push(async () => {
    stopped = true
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
    await stockpoll.dispose()
  })
  // A request still held when the test's server stops is never answered, rather than failing after the test.
  const request = async (path: string, init?: RequestInit): Promise<Response> => {
    try {
      return await requestTo(url, path, init)
    } catch (error) {
      if (stopped) return new Promise<never>(() => {})
      throw error
    }
  }
  return {
    ...stockpoll,
    url,
    clock,
    /** Sends a request to the server, as a client would. */
    app: { request },
    /** `POST /cart` with form-encoded fields, as `curl -d` sends them. */
    postCart: (fields: Record<string, string>, headers?: Record<string, string>) =>
      postCartWith(request, fields, headers),
    inventory: async () => (await request('/inventory')).json(),
    /** Waits until the hub holds `count` long polls: the requests sent have reached it. */
    whenHeld: (count: number) => eventually(() => stockpoll.hub.held === count),
    /**
     * Waits for one round trip to the server: an answer the server wrote before it answers this one has come
     * by then, over loopback.
     */
    roundTrip: async () => void (await (await request('/healthz')).text()),
  }
}
