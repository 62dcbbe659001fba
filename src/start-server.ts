import type { AddressInfo, Socket } from 'node:net'
import { createServer, type ServerOptions } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import { systemClock, type Clock } from './clock.js'
import type { Config } from './config.js'
import type { CatalogSnapshot } from './domain/catalog.js'
import { composeStockpoll, type Stockpoll } from './compose.js'
import { jsonAnswerOf } from './http/answer.js'
import { answerClientErrors } from './http/client-errors.js'
import { createNotReadyApp } from './http/not-ready-app.js'
import type { ServeBindings } from './http/node-bindings.js'
import { serveUpgrades } from './http/upgrades.js'
import { silentLogger, type Logger } from './logger.js'
import { openStore } from './store/open-store.js'
import type { Store } from './store/store.js'
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

/**
 * A client must send its request's headers within `headersTimeoutSeconds` and the whole request within
 * twice that, or its connection is cut; Node checks every second. These bound only the receiving of a
 * request, so a long poll or a stream, whose request is in, lives as long as it is meant to.
 */
const cutOffTimes = (headersTimeoutSeconds: number): ServerOptions => ({
  headersTimeout: headersTimeoutSeconds * 1000,
  requestTimeout: 2 * headersTimeoutSeconds * 1000,
  connectionsCheckingInterval: 1000,
})

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
  let app: Pick<Hono, 'fetch'> = createNotReadyApp(logger)

  const open = () =>
    openStore(config.store, {
      catalog: config.catalog,
      rules: config.rules,
      holds: { clock, ttlMs: config.cartTtlSeconds * 1000 },
      logger,
    })
  async function serveStore(store: Store): Promise<void> {
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
    app = composed.app
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

  // Through `app` as it is at each request: the one that answers 503 until the store is reached, then stockpoll.
  const fetch = (request: Request, env: ServeBindings) => app.fetch(request, env)
  const listener = getRequestListener((request, env) => app.fetch(request, env), {
    hostname: config.host,
    // A request whose URL cannot be built from its target and Host never reaches the app.
    errorHandler: () =>
      jsonAnswerOf({ error: 'invalid_request', message: 'the request target or Host is not valid' }, 400),
  })
  const server = createServer(cutOffTimes(config.limits.headersTimeoutSeconds), (incoming, outgoing) => {
    if (!stockpoll?.servePoll(incoming, outgoing)) void listener(incoming, outgoing)
  })
  answerClientErrors(server)
  serveUpgrades(server, fetch, config.host)
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch(async (error: unknown) => {
    closing = true
    await stockpoll?.dispose()
    throw error
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address

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
    url: `http://${host}:${port}`,
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
