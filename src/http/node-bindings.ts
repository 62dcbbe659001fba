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

/** The address of the peer a request came from, when the app runs under @hono/node-server. */
export const clientPeerOf = (c: Context): string | undefined => bindingsOf(c)?.incoming?.socket.remoteAddress

/**
 * A request header, read from Node's own parsed headers when the app runs under @hono/node-server: asking
 * Hono builds a `Headers` object per request, which every held poll would then keep for as long as it is held.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = bindingsOf(c)?.incoming
  return incoming ? headerIn(incoming, name) : c.req.header(name)
}

/** A header of Node's own request; one sent more than once, joined as `Headers` would join it. */
export function headerIn(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}
