import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Context } from 'hono'
import type { Upgrade } from './upgrades.js'

/**
 * What the app is given of Node's request under @hono/node-server: its request and response, or, for an
 * upgrade request, the request and the upgrade instead of a response.
 */
export interface ServeBindings {
  readonly incoming: IncomingMessage
  readonly outgoing?: ServerResponse
  readonly upgrade?: Upgrade
}

const bindingsOf = (c: Context) => c.env as Partial<ServeBindings> | undefined

/** Node's own response object, when the app runs under @hono/node-server. */
export const nodeResponseOf = (c: Context): ServerResponse | undefined => bindingsOf(c)?.outgoing

/** The upgrade an upgrade request asks for, when it came through `serveUpgrades`. */
export const upgradeOf = (c: Context): Upgrade | undefined => bindingsOf(c)?.upgrade

/** Finds the address a request came from, which per-client limits count by. */
export type ClientAddressOf = (c: Context) => string

/** An IPv4 peer as Node reports it on a dual-stack socket (`::ffff:127.0.0.1`) is the IPv4 address. */
const plainAddress = (address: string): string => (address.startsWith('::ffff:') ? address.slice(7) : address)

/**
 * The address each request came from. A request a `trustedProxies` address forwarded is counted by the
 * address its proxies say they had it from: the right-most in `X-Forwarded-For` that is not one of them,
 * since each proxy appends the address it saw and a client can write anything to the left of that.
 * Requests made without a socket (`app.request()` in tests) all count as one client.
 */
export function clientAddresses(trustedProxies: readonly string[]): ClientAddressOf {
  const trusted = new Set(trustedProxies.map(plainAddress))
  return (c) => {
    const peer = bindingsOf(c)?.incoming?.socket.remoteAddress
    if (peer === undefined) return 'local'
    if (!trusted.has(plainAddress(peer))) return peer
    const hops =
      headerOf(c, 'X-Forwarded-For')
        ?.split(',')
        .map((hop) => plainAddress(hop.trim())) ?? []
    return hops.reverse().find((hop) => hop !== '' && !trusted.has(hop)) ?? peer
  }
}

/**
 * A request header, read from Node's own parsed headers when the app runs under @hono/node-server: asking
 * Hono builds a `Headers` object per request, which every held poll would then keep for as long as it is held.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = bindingsOf(c)?.incoming
  if (!incoming) return c.req.header(name)
  const value = incoming.headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}
