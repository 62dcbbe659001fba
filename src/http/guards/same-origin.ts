import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../api-error.js'
import { headerOf } from '../node-bindings.js'

/**
 * Refuses, with 403, a request that could change state (any method but GET and HEAD, or a WebSocket, which
 * carries cart commands) when the browser says it comes from another site's page: an `Origin` that is
 * neither the shop's own (the host the request was sent to, as its URL says) nor one of `allowedOrigins`.
 * Requests without `Origin`, such as curl's and scripts', are not a browser acting for a shopper and pass.
 */
export function sameOrigin(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins)
  return async function sameOrigin(c, next) {
    const origin = headerOf(c, 'Origin')
    const changesState =
      !['GET', 'HEAD'].includes(c.req.method) || headerOf(c, 'Upgrade')?.toLowerCase() === 'websocket'
    if (origin !== undefined && changesState && !allowed.has(origin) && hostOf(origin) !== new URL(c.req.url).host) {
      throw new ApiError(403, 'cross_origin', `requests from pages at ${origin} may not change carts here`)
    }
    await next()
  }
}

function hostOf(origin: string): string | undefined {
  return URL.canParse(origin) ? new URL(origin).host : undefined
}
