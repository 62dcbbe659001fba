import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { MiddlewareHandler } from 'hono'
import { nanoid } from 'nanoid'
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import { headerOf } from './node-bindings.js'

/** A client's own request id is kept when it is a plain token, so that its logs and ours can be joined. */
const CLIENT_REQUEST_ID = /^[\w.-]{1,128}$/

/**
 * Routes whose requests are held for a change: a line per request there is a line per waiter answer,
 * thousands a change, so they are logged at debug.
 */
const HELD_ROUTES = new Set(['/status', '/events', '/ws'])

export interface RequestLogOptions {
  readonly clock: Clock
  readonly metrics: Metrics
  readonly logger: Logger
}

/**
 * One log line per request, with a request id (the client's `X-Request-Id`, or a fresh one) that is also
 * sent back; and the request counted in the metrics. The query is left out of the line: it can hold a
 * session id.
 */
export function requestLog({ clock, metrics, logger }: RequestLogOptions): MiddlewareHandler {
  return async function requestLog(c, next) {
    const startedAt = clock.now()
    const given = headerOf(c, 'X-Request-Id')
    const id = given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : nanoid()
    await next()
    // A held poll's answer is written by the hub, not through this Response, which is shared by all of them.
    if (c.res !== RESPONSE_ALREADY_SENT) c.res.headers.set('X-Request-Id', id)
    const route = c.req.routePath
    const { status } = c.res
    metrics.request(route, status)
    const line = { id, method: c.req.method, path: c.req.path, status, ms: clock.now() - startedAt }
    if (HELD_ROUTES.has(route)) logger.debug(line, 'request')
    else logger.info(line, 'request')
  }
}
