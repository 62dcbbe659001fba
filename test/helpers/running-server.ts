import { afterEach } from 'vitest'
import { fetchFrom, postCartWith } from './cart.js'
import { loadConfig } from '../../src/config.js'
import { startServer, type RunningServer } from '../../src/start-server.js'

/**
 * Starts real servers on free loopback ports for the current test file, in memory unless `env` says
 * otherwise, and closes them after each test.
 */
export function useServers(): (env?: Record<string, string>) => Promise<RunningServer> {
  const running: RunningServer[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()))
  })
  return async (env = {}) => {
    const server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', STORE: 'memory', ...env }))
    running.push(server)
    return server
  }
}

/**
 * Per-client limits high enough for a test that plays hundreds of shoppers from one address; the limits
 * themselves are tested with their defaults.
 */
export const MANY_SHOPPERS_ONE_ADDRESS = {
  MAX_WAITERS_PER_IP: '100000',
  CART_RATE_PER_IP: '100000',
  CART_RATE_PER_SESSION: '100000',
}

/** `POST /cart` to the server at `url`, for `session`, with any headers and any more fields (`sku`, `quantity`). */
export const postCart = (
  url: string,
  session: string,
  action: string,
  headers?: Record<string, string>,
  fields: Record<string, string> = {},
) => postCartWith(fetchFrom(url), { session, action, ...fields }, headers)

/** What `/healthz` says the server holds on each transport. */
export const heldBy = async (url: string) =>
  ((await (await fetch(`${url}/healthz`)).json()) as { held: { longPoll: number; sse: number; ws: number } }).held

/** The epoch of the stock a server serves now. */
export const epochOf = async (url: string) =>
  ((await (await fetch(`${url}/inventory`)).json()) as { epoch: string }).epoch
