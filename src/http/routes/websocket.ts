import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { Hono } from 'hono'
import { WebSocket } from 'ws'
import { z } from 'zod'
import type { Logger } from '../../logger.js'
import type { Hub } from '../../push/hub.js'
import { TooManyWaitersError } from '../../push/too-many-waiters-error.js'
import type { Published } from '../../push/published.js'
import type { ApplyCartCommand } from '../cart-command.js'
import { ApiError, invalidRequest } from '../api-error.js'
import { apiErrorOf, methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { parseInput, parseJson } from '../input.js'
import type { AppEnv } from '../app-env.js'
import { headerOf, upgradeOf } from '../node-bindings.js'

/**
 * A socket whose unsent frames pass this many bytes belongs to a client that stopped reading: it is cut, not
 * buffered for. A client that reads is never near it, since each frame is a few hundred bytes at most.
 */
export const MAX_BACKLOG_BYTES = 64 * 1024

/** What the WebSocket handshake needs, checked here so that a bad one is refused like any request. */
const handshake = z.object({
  key: z
    .string({ error: 'Sec-WebSocket-Key is required' })
    .regex(/^[A-Za-z0-9+/]{22}==$/, { error: 'Sec-WebSocket-Key must be 16 bytes in base64' }),
  version: z.literal(['8', '13'], { error: 'Sec-WebSocket-Version must be 13' }),
})

const commandFrame = z.object(
  { type: z.literal('cart', { error: "type must be 'cart', the only command there is" }) },
  { error: 'the frame must be a command: {"type":"cart","session":…,"action":"add"|"remove"}' },
)

/** One version as a WebSocket frame. */
const stockFrame = ({ json }: Published) => `{"type":"stock",${json.slice(1)}`

/** Sends a frame, or cuts a client that has stopped reading; a socket that is closing is sent nothing. */
function sendOrCut(ws: WebSocket, frame: string): void {
  if (ws.readyState !== WebSocket.OPEN) return
  // A close frame would wait behind the backlog it is meant to end.
  if (ws.bufferedAmount > MAX_BACKLOG_BYTES) return ws.terminate()
  ws.send(frame)
}

export interface WebsocketRouteOptions {
  readonly hub: Hub
  readonly applyCartCommand: ApplyCartCommand
  readonly heldPerClient: HeldPerClient
  readonly logger: Logger
}

/**
 * `GET /ws`: the stock over a WebSocket, `{"type":"stock", ...}` on connect and on every change. A client
 * may send `{"type":"cart","session","action"}` and is answered `{"type":"cart-result", ...}` or, with the
 * same checks and codes as `POST /cart`, `{"type":"error","error","message"}`; a frame that is not such a
 * command gets an error frame too, and the connection stays open. A handshake is refused like any request,
 * with a status and a JSON body, before the socket is opened.
 */
export function websocketRoutes(options: WebsocketRouteOptions): Hono<AppEnv> {
  const { hub, heldPerClient } = options
  return new Hono<AppEnv>()
    .get('/ws', (c) => {
      const upgrade = upgradeOf(c)
      if (!upgrade) {
        throw new ApiError(426, 'upgrade_required', '/ws speaks WebSocket: connect with a WebSocket client', {
          Upgrade: 'websocket',
        })
      }
      parseInput(handshake, { key: headerOf(c, 'Sec-WebSocket-Key'), version: headerOf(c, 'Sec-WebSocket-Version') })
      const client = c.get('client')
      hub.assertRoom()
      upgrade.socket.once('close', heldPerClient.admit(client))
      upgrade.accept((ws) => serveSocket(ws, client, options))
      return RESPONSE_ALREADY_SENT
    })
    .all('/ws', methodNotAllowed('GET'))
}

function serveSocket(ws: WebSocket, client: string, { hub, applyCartCommand, logger }: WebsocketRouteOptions): void {
  // ws closes the socket itself on a protocol error (a frame too large is 1009) and reports it here.
  ws.on('error', (err) => logger.debug({ err }, 'a WebSocket failed'))
  let unsubscribe: () => void
  try {
    unsubscribe = hub.subscribe('ws', undefined, {
      send: (published) => sendOrCut(ws, published.as(stockFrame)),
      end: () => ws.close(1001, 'the server is shutting down'),
    })
  } catch (error) {
    // The hub filled up during the handshake.
    if (!(error instanceof TooManyWaitersError)) throw error
    return ws.close(1013, 'the server is full; try again later')
  }
  ws.on('close', () => unsubscribe())
  ws.on('message', (data, isBinary) => {
    // Frames that arrived with the ones that got the socket cut are not acted on.
    if (ws.readyState !== WebSocket.OPEN) return
    commandResult(applyCartCommand, Buffer.isBuffer(data) && !isBinary ? data.toString() : undefined, client).then(
      (result) => sendOrCut(ws, JSON.stringify({ type: 'cart-result', ...result })),
      (error: unknown) => {
        const { code, message } = apiErrorOf(error, logger)
        sendOrCut(ws, JSON.stringify({ type: 'error', error: code, message }))
      },
    )
  })
}

async function commandResult(applyCartCommand: ApplyCartCommand, text: string | undefined, client: string) {
  if (text === undefined) throw invalidRequest('send commands as text frames of JSON')
  const command = parseJson(text, 'the frame')
  parseInput(commandFrame, command)
  return (await applyCartCommand(command, client)).body
}
