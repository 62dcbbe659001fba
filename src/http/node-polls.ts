import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../clock.js'
import type { AllowedHosts } from './guards/allowed-host.js'
import type { ClientAddresses } from './guards/client-address.js'
import { headerIn } from './node-bindings.js'
import type { RequestLog } from './request-log.js'
import type { LongPolls } from './routes/status.js'

/** Serves a request straight from Node, or says it did not, for the app to serve it. */
export type NodeHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => boolean

export interface NodePollOptions {
  readonly polls: LongPolls
  readonly hosts: AllowedHosts
  readonly clients: ClientAddresses
  readonly log: RequestLog
  readonly clock: Clock
}

/**
 * `GET /status` served straight from Node, outside Hono, when it is an ordinary poll: a client polls again
 * the moment it is answered, so a fan-out to N clients is followed by N polls, and Hono's request, context and
 * chain of middleware cost each one several times what holding it does (the README's Performance section has
 * the figures). It applies what the app's middleware would to such a request (the host it is sent to, the
 * client address it counts under, the log line and the count in the metrics) through the same objects, and
 * holds it through the same `LongPolls`. Anything else (another path, a body, a query the schema refuses, a
 * host not allowed, a client past its limit, a full hub, an unknown product) it leaves to the app, which
 * answers it, refusal and all, as it answers every request.
 */
export function nodePolls({ polls, hosts, clients, log, clock }: NodePollOptions): NodeHandler {
  return function servePoll(incoming, outgoing) {
    const { method, url = '' } = incoming
    const queryAt = url.indexOf('?')
    const path = queryAt < 0 ? url : url.slice(0, queryAt)
    if (method !== 'GET' || path !== '/status') return false
    const length = headerIn(incoming, 'Content-Length')
    if ((length !== undefined && length !== '0') || headerIn(incoming, 'Transfer-Encoding') !== undefined) return false
    if (!hosts.allows(headerIn(incoming, 'Host'))) return false
    const startedAt = clock.now()
    const client = clients.of(incoming.socket.remoteAddress, headerIn(incoming, 'X-Forwarded-For'))
    try {
      polls.holdOnNode(polls.pollFor(url), client, outgoing)
    } catch {
      return false
    }
    log.record('/status', 200, () => {
      const id = log.idOf(headerIn(incoming, 'X-Request-Id'))
      return { id, method, path, status: 200, ms: clock.now() - startedAt }
    })
    return true
  }
}
