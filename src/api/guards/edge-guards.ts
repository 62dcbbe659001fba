import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { AllowedHosts } from '../../edge/guards/allowed-host.js'
import { assertBodyWithin } from '../../edge/guards/body-limit.js'
import type { ClientAddresses } from '../../edge/guards/client-address.js'
import { CROSS_ORIGIN, type CrossOrigin } from '../../edge/guards/cross-origin.js'
import type { SameOrigin } from '../../edge/guards/same-origin.js'
import type { RequestLog } from '../../edge/request-log.js'
import type { AppEnv } from '../app-env.js'
import { factsOf, headerOf, setAnswerHeader } from '../node-bindings.js'

/**
 * The edge's guards as Hono middleware, each a thin wrapper of the plain check the gateway calls too, so that
 * a request is checked the same whichever front door it comes through.
 */

/** Logs and counts every request that goes through the app. */
export function requestLog(log: RequestLog): MiddlewareHandler {
  const { clock } = log.options
  return async function requestLog(c, next) {
    const startedAt = clock.now()
    const id = log.idOf(headerOf(c, 'X-Request-Id'))
    await next()
    setAnswerHeader(c, 'X-Request-Id', id)
    const { status } = c.res
    const ms = clock.now() - startedAt
    log.record(c.req.routePath, status, () => ({ id, method: c.req.method, path: c.req.path, status, ms }))
  }
}

/** Puts on the context, as `client`, the address each request came from. */
export function clientAddress(addresses: ClientAddresses): MiddlewareHandler<AppEnv> {
  return async function clientAddress(c, next) {
    const { peer, header } = factsOf(c)
    c.set('client', addresses.of(peer, header('X-Forwarded-For')))
    await next()
  }
}

/** Refuses, with 403, a request sent to a host name the shop is not known by. */
export function allowedHost(hosts: AllowedHosts): MiddlewareHandler {
  return async function allowedHost(c, next) {
    hosts.assert(headerOf(c, 'Host'))
    await next()
  }
}

/** Refuses a body past the path's most bytes (413), or one of no stated length (411), before anything reads it. */
export function bodyLimit(maxBytesOf: (path: string) => number): MiddlewareHandler {
  return async function bodyLimit(c, next) {
    assertBodyWithin((name) => headerOf(c, name), maxBytesOf(c.req.path))
    await next()
  }
}

/** Refuses, with 403, a change sent from another site's page. */
export function sameOrigin(origins: SameOrigin): MiddlewareHandler {
  return async function sameOrigin(c, next) {
    origins.assert(factsOf(c), new URL(c.req.url).host)
    await next()
  }
}

/**
 * Lets the pages of the shop's allowed origins read the answers, and answers their preflights (`OPTIONS`),
 * with Hono's CORS middleware under the policy the gateway's answers follow too.
 */
export function crossOrigin(policy: CrossOrigin): MiddlewareHandler {
  return cors({
    origin: (origin, c) => policy.allowedOrigin(origin, c.req.path) ?? null,
    allowMethods: [...CROSS_ORIGIN.allowMethods],
    allowHeaders: [...CROSS_ORIGIN.allowHeaders],
    exposeHeaders: [...CROSS_ORIGIN.exposeHeaders],
    maxAge: CROSS_ORIGIN.maxAgeSeconds,
  })
}
