import { systemClock, type Clock } from './clock.js'
import type { Config } from './config.js'
import { composeStockpoll, type Stockpoll } from './compose.js'
import type { CatalogSnapshot } from './domain/catalog.js'
import { createNotReadyApp } from './api/not-ready-app.js'
import { listen, type FrontDoors } from './listen.js'
import { silentLogger, type Logger } from './logger.js'
import { openStore } from './store/open-store.js'
import type { StoreParts } from './store/store.js'
import { StoreUnavailableError } from './store/store-unavailable-error.js'

export interface RunningServer {
  /** Where it listens, as `http://host:port`. */
  readonly url: string
  /** How many long polls it holds now. */
  readonly held: number
  /** The catalog it serves, as its store has it; none until the store was reached. */
  readonly catalog: CatalogSnapshot | undefined
  /** Resolves once the store was reached and the server serves the stock (at once, when it was at start). */
  readonly ready: Promise<void>
  /**
   * Stops accepting, answers every held request and stream with the current stock, spread over the
   * configured window, and resolves once every connection is closed; calling it again returns the same
   * promise.
   */
  close(): Promise<void>
}

/**
 * How long `close()` waits for open connections, once every held client was answered, before cutting them:
 * shutdown ends within the spread window and this.
 */
const SHUTDOWN_GRACE_MS = 4000
/** How often `close()` closes the keep-alive connections that went idle once their held request was answered. */
const IDLE_SWEEP_MS = 25
/** How long to wait before trying the store again, after the given number of failed attempts. */
const reopenDelayMs = (attempt: number): number => Math.min(250 * 2 ** attempt, 5000)

/** What a server runs with besides its configuration: made once, in the wiring, and handed to every part. */
export interface ServerParts {
  readonly clock?: Clock
  readonly logger?: Logger
}

/**
 * Builds stockpoll from its configuration and listens. A store that cannot be reached at start (Redis is
 * down) does not stop the server: it listens anyway, answers `503` and is not ready, and keeps trying the
 * store, ever less often, until it is reached.
 */
export async function startServer(
  config: Config,
  { clock = systemClock, logger = silentLogger }: ServerParts = {},
): Promise<RunningServer> {
  let closing = false
  let stockpoll: Stockpoll | undefined
  let doors: FrontDoors = { api: createNotReadyApp(logger), gateway: undefined }

  const open = () =>
    openStore(config.store, {
      catalog: config.catalog,
      rules: config.rules,
      holds: { clock, ttlMs: config.cartTtlSeconds * 1000 },
      logger,
    })
  async function serveStore(store: StoreParts): Promise<void> {
    const composed = await composeStockpoll({
      store,
      clock,
      logger,
      rules: config.rules,
      maxWaiters: config.maxWaiters,
      pollTimeoutSeconds: config.pollTimeoutSeconds,
      heartbeatSeconds: config.heartbeatSeconds,
      limits: config.limits,
      adminToken: config.adminToken,
    })
    if (closing) return composed.dispose()
    stockpoll = composed
    doors = composed
  }
  async function keepTrying(): Promise<void> {
    for (let attempt = 1; !closing; attempt++) {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, reopenDelayMs(attempt)))
      if (closing) return
      try {
        await serveStore(await open())
        logger.warn('reached the store: serving')
        return
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) logger.error({ err }, 'cannot serve the store')
      }
    }
  }

  let ready: Promise<void>
  try {
    await serveStore(await open())
    ready = Promise.resolve()
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err
    logger.warn({ err }, 'cannot reach the store: answering 503 until it is reached')
    ready = keepTrying()
  }

  const { server, url, sockets } = await listen(() => doors, {
    host: config.host,
    port: config.port,
    headersTimeoutSeconds: config.limits.headersTimeoutSeconds,
  }).catch(async (error: unknown) => {
    closing = true
    await stockpoll?.dispose()
    throw error
  })

  async function shutDown(): Promise<void> {
    closing = true
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    await stockpoll?.hub.close(config.shutdownSpreadMs)
    // Every socket still open, upgraded ones too, which Node's server no longer tracks: a WebSocket client
    // that never answers the close frame would otherwise keep it for the 30 s ws waits for it.
    const cut = setTimeout(() => {
      for (const socket of sockets) socket.destroy()
    }, SHUTDOWN_GRACE_MS)
    await closed
    clearInterval(sweep)
    clearTimeout(cut)
    await stockpoll?.dispose()
  }

  let closingDown: Promise<void> | undefined
  return {
    url,
    get held() {
      return stockpoll?.hub.held ?? 0
    },
    get catalog() {
      return stockpoll?.hub.catalog.snapshot()
    },
    ready,
    close: () => (closingDown ??= shutDown()),
  }
}
