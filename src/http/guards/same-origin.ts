import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../api-error.js'
import { clientPeerOf, headerOf } from '../node-bindings.js'
import type { ClientAddresses } from './client-address.js'

/**
 * Refuses, with 403, a request that could change state (any method but GET and HEAD, or a WebSocket, which
 * carries cart commands) when the browser says it comes from another site's page: an `Origin` that is
 * neither the shop's own nor one of `allowedOrigins`. The shop's own is the scheme and the host the request
 * was sent to (`https` only where a trusted proxy says the client used it: a page on `https://` is another
 * origin than the same host on `http://`). Requests without `Origin`, such as curl's and scripts', are not a
 * browser acting for a shopper and pass.
 */
export function sameOrigin(allowedOrigins: readonly string[], clients: ClientAddresses): MiddlewareHandler {
  const allowed = new Set(allowedOrigins)
  return async function sameOrigin(c, next) {
    const origin = headerOf(c, 'Origin')
    const changesState =
      !['GET', 'HEAD'].includes(c.req.method) || headerOf(c, 'Upgrade')?.toLowerCase() === 'websocket'
    if (origin !== undefined && changesState && !allowed.has(origin)) {
      const scheme = clients.schemeOf(clientPeerOf(c), headerOf(c, 'X-Forwarded-Proto'))
      if (origin !== `${scheme}://${new URL(c.req.url).host}`) {
        throw new ApiError(403, 'cross_origin', `requests from pages at ${origin} may not change carts here`)
      }
    }
    await next()
  }
}
