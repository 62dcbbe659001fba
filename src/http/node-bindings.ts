import type { ServerResponse } from 'node:http'
import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'

const bindingsOf = (c: Context) => c.env as Partial<HttpBindings> | undefined

/** Node's own response object, when the app runs under @hono/node-server. */
export const nodeResponseOf = (c: Context): ServerResponse | undefined => bindingsOf(c)?.outgoing

/**
 * The address the request came from, which per-client limits count by; requests made without a socket
 * (`app.request()` in tests) all count as one client.
 */
export const clientAddressOf = (c: Context): string => bindingsOf(c)?.incoming?.socket.remoteAddress ?? 'local'

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
