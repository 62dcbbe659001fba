import { systemClock, type Clock } from './clock.js'
import type { Config } from './config.js'
import type { CatalogSnapshot } from './domain/catalog.js'
import { listen } from './listen.js'
import { silentLogger, type Logger } from './logger.js'
import { Serving } from './serving.js'

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
  const serving = await Serving.start(config, clock, logger)
  const { server, url, sockets } = await listen(() => serving.doors, {
    host: config.host,
    port: config.port,
    headersTimeoutSeconds: config.limits.headersTimeoutSeconds,
  }).catch(async (error: unknown) => {
    await serving.stop()
    throw error
  })

  async function shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    await serving.stockpoll?.hub.close(config.shutdownSpreadMs)
    // Every socket still open, upgraded ones too, which Node's server no longer tracks: a WebSocket client
    // that never answers the close frame would otherwise keep it for the 30 s ws waits for it.
    const cut = setTimeout(() => {
      for (const socket of sockets) socket.destroy()
    }, SHUTDOWN_GRACE_MS)
    await closed
    clearInterval(sweep)
    clearTimeout(cut)
    await serving.stop()
  }

  let closingDown: Promise<void> | undefined
  return {
    url,
    get held() {
      return serving.stockpoll?.hub.held ?? 0
    },
    get catalog() {
      return serving.stockpoll?.hub.catalog.snapshot()
    },
    ready: serving.ready,
    close: () => (closingDown ??= shutDown()),
  }
}
