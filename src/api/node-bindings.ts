import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Context } from 'hono'
import { headerIn, type RequestFacts } from '../edge/request-facts.js'

/** What the app is given of Node's request under @hono/node-server: its request and response. */
export interface ServeBindings {
  readonly incoming: IncomingMessage
  readonly outgoing: ServerResponse
}

const bindingsOf = (c: Context) => c.env as Partial<ServeBindings> | undefined

/**
 * A request header, read from Node's own parsed headers when the app runs under @hono/node-server: asking
 * Hono builds a `Headers` object per request.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = bindingsOf(c)?.incoming
  return incoming ? headerIn(incoming, name) : c.req.header(name)
}

/**
 * Sets a header of the answer: on Node's response when the app runs under @hono/node-server, which merges it
 * into the head it writes; setting it on Hono's `Response` would turn a lightweight answer into a full one,
 * with a `Headers` object, on every request.
 */
export function setAnswerHeader(c: Context, name: string, value: string): void {
  const outgoing = bindingsOf(c)?.outgoing
  if (outgoing) outgoing.setHeader(name, value)
  else c.res.headers.set(name, value)
}

/** What the edge's guards look at of a request. */
export const factsOf = (c: Context): RequestFacts => ({
  method: c.req.method,
  header: (name) => headerOf(c, name),
  peer: bindingsOf(c)?.incoming?.socket.remoteAddress,
})
