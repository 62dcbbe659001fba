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
