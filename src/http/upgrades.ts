import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { WebSocketServer, type WebSocket } from 'ws'
import { writeFinalAnswer, writeFinalRefusal } from './answer.js'
import { MAX_TOKEN_LENGTH } from '../domain/tokens.js'
import { MAX_WATCHED_SKUS } from './input.js'
import type { ServeBindings } from './node-bindings.js'

/** What the app is given of an upgrade request, beside its headers: the socket Node's HTTP server let go of. */
export interface Upgrade {
  readonly socket: Duplex
  /** Completes the WebSocket handshake and hands the open socket to `onOpen`. */
  accept(onOpen: (ws: WebSocket) => void): void
}

type Fetch = (request: Request, env: ServeBindings) => Response | Promise<Response>

/**
 * The largest WebSocket frame taken: a larger one closes the socket with 1009 (message too big). A subscribe
 * frame of as many of the longest SKUs as a client may watch fits, each quoted with its comma.
 */
export const MAX_FRAME_BYTES = 1024 + MAX_WATCHED_SKUS * (MAX_TOKEN_LENGTH + 3)

/**
 * Serves every upgrade request through the app, like any other request: a route that takes it calls
 * `accept` and answers `RESPONSE_ALREADY_SENT`; any other answer (a refusal, a 404) is written to the socket
 * with its body, and the socket is closed. Every upgrade request is answered or taken, so none can keep its
 * socket open by asking for a protocol nobody speaks. We do this rather than use @hono/node-server's own
 * WebSocket support, which leaves an upgrade to another protocol unanswered and runs any route for a
 * WebSocket upgrade, and answers its refusals with empty bodies. `hostname` goes in the URL of a request
 * that names no Host.
 */
export function serveUpgrades(server: Server, fetch: Fetch, hostname: string): void {
  const websockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's HTTP server no longer listens on this socket: an error with nobody listening would be thrown.
    socket.on('error', () => socket.destroy())
    const upgrade: Upgrade = { socket, accept: (onOpen) => websockets.handleUpgrade(incoming, socket, head, onOpen) }
    void answer(socket, () => fetch(requestOf(incoming, hostname), { incoming, upgrade }))
  })
}

async function answer(socket: Duplex, respond: () => Response | Promise<Response>): Promise<void> {
  let response: Response
  try {
    response = await respond()
  } catch {
    // Only a request whose URL cannot be built gets here: the app answers every other one itself.
    return writeFinalRefusal(socket, 400, 'invalid_request', 'the request target or Host is not valid')
  }
  if (response === RESPONSE_ALREADY_SENT) return
  writeFinalAnswer(socket, response.status, response.headers, await response.text())
}

function requestOf(incoming: IncomingMessage, hostname: string): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return new Request(new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? hostname}`), { headers })
}
