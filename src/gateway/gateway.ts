import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Clock } from '../clock.js'
import { writeFinalRefusal, writeJson } from '../edge/answer.js'
import { ApiError, invalidRequest } from '../edge/api-error.js'
import type { ApplyCartCommand } from '../edge/cart-action.js'
import type { Operation } from '../edge/openapi/operation.js'
import { apiErrorOf, attemptOf, refusalBody } from '../edge/refusals.js'
import type { RequestLog } from '../edge/request-log.js'
import type { Logger } from '../logger.js'
import type { Hub } from '../push/hub.js'
import type { Admission } from './admission.js'
import type { ClassicApi } from './classic.js'
import type { StockBodies } from '../edge/stock-bodies.js'
import { StockJson } from './stock-json.js'
import { EventStreams, eventsOperations } from './event-stream.js'
import { LongPolls, statusOperations } from './long-poll.js'
import { RepollGate } from './repoll-gate.js'
import { WebSockets, websocketOperations } from './websocket.js'

/** The paths the gateway serves, each to GET: the three ways a client hears of changes. */
export const GATEWAY_PATHS: ReadonlySet<string> = new Set(['/status', '/events', '/ws'])

export interface GatewayOptions {
  readonly hub: Hub
  readonly classic: ClassicApi
  /** The stock's answers, as the shop's display shows it. */
  readonly bodies: StockBodies
  readonly admission: Admission
  readonly applyCartCommand: ApplyCartCommand
  readonly log: RequestLog
  readonly clock: Clock
  readonly logger: Logger
  /** How long a long poll is held when the client names no `timeout`. */
  readonly pollTimeoutSeconds: number
  /** How often an idle event stream gets a comment, so that proxies keep it open. */
  readonly heartbeatSeconds: number
}

function destroySocket(this: Duplex): void {
  this.destroy()
}

/** A request target's path and query, apart. */
function split(url: string): readonly [path: string, search: string] {
  const queryAt = url.indexOf('?')
  return queryAt < 0 ? [url, ''] : [url.slice(0, queryAt), url.slice(queryAt + 1)]
}

/**
 * The push side of the server, on node:http and nothing else: the long poll, Server-Sent Events and the
 * WebSocket. A client that polls again the moment it is answered makes a fan-out to N clients N requests at
 * once, which a framework's request, context and middleware per request would cost several times what holding
 * them does; so every request here goes through one admission (host, body, origin, client, per-client cap),
 * is held by the hub (which refuses when full), is counted off when its connection closes, and is logged and
 * counted once, as the app does its own. A refusal is the `{ error, message }` JSON every refusal is.
 */
export class Gateway {
  /** What `/openapi.json` says of the gateway's routes. */
  readonly operations: readonly Operation[] = [...statusOperations, ...eventsOperations, ...websocketOperations]
  readonly #polls: LongPolls
  readonly #streams: EventStreams
  readonly #sockets: WebSockets

  constructor(readonly options: GatewayOptions) {
    const { hub, classic, pollTimeoutSeconds, heartbeatSeconds, applyCartCommand, logger } = options
    const json = new StockJson(options.bodies, classic)
    this.#polls = new LongPolls({ hub, classic, json, pollTimeoutSeconds, gate: new RepollGate(hub) })
    this.#streams = new EventStreams({ hub, classic, json, heartbeatSeconds })
    this.#sockets = new WebSockets({ hub, classic, json, applyCartCommand, logger })
  }

  /**
   * Whether a request is the gateway's to serve, by the path of its target. Where other origins are allowed,
   * a preflight (`OPTIONS`) is the app's, which answers every path's alike; elsewhere it is refused here as
   * any method but GET is.
   */
  takes(method: string | undefined, url: string): boolean {
    if (method === 'OPTIONS' && this.options.admission.preflights) return false
    return GATEWAY_PATHS.has(split(url)[0])
  }

  /** Serves a request to one of its paths (see `takes`). */
  serve(incoming: IncomingMessage, outgoing: ServerResponse): void {
    const { log, clock, admission } = this.options
    const startedAt = clock.now()
    const url = incoming.url ?? '/'
    const [path, search] = split(url)
    const method = incoming.method ?? 'GET'
    let id: string | undefined
    const idOf = () => (id ??= log.idOf(incoming.headers['x-request-id'] as string | undefined))
    let status = 200
    try {
      const facts = admission.check(incoming)
      const crossOrigin = admission.crossOriginHeaders(facts, path)
      if (crossOrigin) for (const [name, value] of Object.entries(crossOrigin)) outgoing.setHeader(name, value)
      if (method !== 'GET') {
        throw new ApiError(405, 'method_not_allowed', `${path} accepts GET, not ${method}`, { Allow: 'GET' })
      }
      if (path === '/status') {
        const poll = this.#polls.pollFor(url)
        const { release } = admission.admit(facts)
        this.#holding(release, () => this.#polls.hold(poll, outgoing, release))
      } else if (path === '/events') {
        const stream = this.#streams.streamFor(search, facts.header('Last-Event-ID'))
        const { release } = admission.admit(facts)
        this.#holding(release, () => this.#streams.open(stream, outgoing, { 'X-Request-Id': idOf() }, release))
      } else {
        throw new ApiError(426, 'upgrade_required', '/ws speaks WebSocket: connect with a WebSocket client', {
          Upgrade: 'websocket',
        })
      }
    } catch (error) {
      const refusal = apiErrorOf(error, this.options.logger, attemptOf(method))
      status = refusal.status
      const headers = { ...refusal.headers, 'X-Request-Id': idOf() }
      writeJson(outgoing, status, JSON.stringify(refusalBody(refusal)), headers)
    }
    log.record(path, status, () => ({ id: idOf(), method, path, status, ms: clock.now() - startedAt }))
  }

  /**
   * Serves every upgrade request: a WebSocket on `/ws`; any other is refused with a status and a JSON body,
   * and its socket closed, so that none keeps a socket open that Node's server no longer answers on.
   */
  upgrade(incoming: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node's HTTP server no longer listens on this socket: an error with nobody listening would be thrown. A
    // function of its own, since a closure here would keep this request alive for as long as the socket.
    socket.on('error', destroySocket)
    const { log, clock, admission } = this.options
    const startedAt = clock.now()
    const [path, search] = split(incoming.url ?? '/')
    const method = incoming.method ?? 'GET'
    const route = GATEWAY_PATHS.has(path) ? path : '*'
    let status = 101
    try {
      const facts = admission.check(incoming)
      const protocol = facts.header('Upgrade') ?? ''
      if (protocol.toLowerCase() !== 'websocket') {
        throw invalidRequest(`this server upgrades only to websocket, not ${JSON.stringify(protocol)}`)
      }
      if (path !== '/ws') throw invalidRequest(`only /ws takes a WebSocket, not ${path}`)
      if (method !== 'GET') throw new ApiError(405, 'method_not_allowed', `/ws accepts GET, not ${method}`)
      const watch = this.#sockets.watchFor(search, facts.header)
      const { client, release } = admission.admit(facts)
      this.#holding(release, () => this.#sockets.accept({ incoming, socket, head }, watch, client, release))
    } catch (error) {
      const refusal = apiErrorOf(error, this.options.logger, 'change')
      status = refusal.status
      writeFinalRefusal(socket, status, refusal.code, refusal.message, refusal.headers)
    }
    log.record(route, status, () => ({
      id: log.idOf(incoming.headers['x-request-id'] as string | undefined),
      method,
      path,
      status,
      ms: clock.now() - startedAt,
    }))
  }

  /** Holds a request through `hold`; one it cannot hold is counted off again. */
  #holding(release: () => void, hold: () => void): void {
    try {
      hold()
    } catch (error) {
      release()
      throw error
    }
  }
}
