import type { AddressInfo } from 'node:net'
import type { Server, ServerOptions } from 'node:http'
import { serve, type WebSocketServerLike } from '@hono/node-server'
import { WebSocketServer } from 'ws'
import { systemClock, type Clock } from './clock.js'
import type { Config } from './config.js'
import { composeStockpoll } from './compose.js'
import { MAX_FRAME_BYTES } from './http/routes/websocket.js'
import type { Hub } from './push/hub.js'
import { openStore } from './store/open-store.js'

export interface RunningServer {
  /** Where it listens, as `http://host:port`. */
  readonly url: string
  readonly hub: Hub
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

/** Builds stockpoll from its configuration and listens. */
export async function startServer(config: Config, clock: Clock = systemClock): Promise<RunningServer> {
  const { app, hub, dispose } = await composeStockpoll({
    store: await openStore(config.store, config.totalInventory, { clock, ttlMs: config.cartTtlSeconds * 1000 }),
    clock,
    maxWaiters: config.maxWaiters,
    pollTimeoutSeconds: config.pollTimeoutSeconds,
    heartbeatSeconds: config.heartbeatSeconds,
    limits: config.limits,
  })
  // ws types `options.noServer` as optional, where @hono/node-server's interface, read with this project's
  // exactOptionalPropertyTypes, wants it present; it is, since the server is made with it.
  const websockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        websocket: { server: websockets as WebSocketServerLike },
        serverOptions: cutOffTimes(config.limits.headersTimeoutSeconds),
      },
      () => {
        listening.off('error', reject)
        resolve(listening as Server)
      },
    )
    listening.once('error', reject)
  }).catch(async (error: unknown) => {
    await dispose()
    throw error
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address

  let closing: Promise<void> | undefined
  async function shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    await hub.close(config.shutdownSpreadMs)
    const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS)
    await closed
    websockets.close()
    clearInterval(sweep)
    clearTimeout(cut)
    await dispose()
  }

  return {
    url: `http://${host}:${port}`,
    hub,
    close: () => (closing ??= shutDown()),
  }
}
