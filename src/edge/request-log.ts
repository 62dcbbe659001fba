import { nanoid } from 'nanoid'
import type { Clock } from '../clock.js'
import { REQUEST_LINE, type Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'

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

/** What a request's log line says of it. */
export interface RequestLine {
  readonly id: string
  readonly method: string
  /** Without the query, which can hold a session id. */
  readonly path: string
  readonly status: number
  readonly ms: number
}

/**
 * One log line per request, with a request id (the client's `X-Request-Id`, or a fresh one) that is also
 * sent back; and the request counted in the metrics by its route.
 */
export class RequestLog {
  constructor(readonly options: RequestLogOptions) {}

  /** The id a request is logged under: its own `X-Request-Id` when that is a plain token, else a fresh one. */
  idOf(given: string | undefined): string {
    return given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : nanoid()
  }

  /**
   * Counts a request, and logs the line `describe` gives: only when the log is at its level, since a held
   * route's requests are many and its lines are at debug.
   */
  record(route: string, status: number, describe: () => RequestLine): void {
    this.options.metrics.request(route, status)
    const { logger } = this.options
    const level = HELD_ROUTES.has(route) ? 'debug' : 'info'
    if (logger.isLevelEnabled(level)) logger[level](describe(), REQUEST_LINE)
  }
}
