import { upgradeWebSocket } from '@hono/node-server'
import { Hono } from 'hono'
import type { WSContext } from 'hono/ws'
import { z } from 'zod'
import type { Hub } from '../../push/hub.js'
import type { Published } from '../../push/published.js'
import type { ApplyCartCommand } from '../cart-command.js'
import { ApiError, apiErrorOf, invalidRequest, methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { parseInput } from '../input.js'
import type { ClientAddressOf } from '../node-bindings.js'
import '../websocket-events.js'

/** Frames larger than this close the socket with 1009 (message too big); the server's `maxPayload`. */
export const MAX_FRAME_BYTES = 4096

export const WS_TRANSPORT = 'ws'

const commandFrame = z.object(
  { type: z.literal('cart', { error: "type must be 'cart', the only command there is" }) },
  { error: 'the frame must be a command: {"type":"cart","session":…,"action":"add"|"remove"}' },
)

/** One version as a WebSocket frame. */
const stockFrame = ({ json }: Published) => `{"type":"stock",${json.slice(1)}`

const send = (ws: WSContext, frame: object) => ws.send(JSON.stringify(frame))

/**
 * `GET /ws`: the stock over a WebSocket, `{"type":"stock", ...}` on connect and on every change. A client
 * may send `{"type":"cart","session","action"}` and is answered `{"type":"cart-result", ...}` or, with the
 * same checks and codes as `POST /cart`, `{"type":"error","error","message"}`; a frame that is not such a
 * command gets an error frame too, and the connection stays open.
 */
export function websocketRoutes(
  hub: Hub,
  applyCartCommand: ApplyCartCommand,
  heldPerClient: HeldPerClient,
  clientAddressOf: ClientAddressOf,
): Hono {
  return new Hono()
    .get(
      '/ws',
      (c, next) => {
        heldPerClient.assertRoom(clientAddressOf(c))
        return next()
      },
      upgradeWebSocket((c) => {
        const client = clientAddressOf(c)
        let close = () => {}
        return {
          onOpen(_event, ws) {
            let release: () => void
            try {
              release = heldPerClient.admit(client)
            } catch {
              // Another socket from the same address opened since the check above.
              return ws.close(1008, 'this address holds too many open connections')
            }
            const unsubscribe = hub.subscribe(WS_TRANSPORT, undefined, {
              send: (published) => ws.send(published.as(stockFrame)),
              end: () => ws.close(1001, 'the server is shutting down'),
            })
            close = () => {
              unsubscribe()
              release()
            }
          },
          onMessage(event, ws) {
            commandResult(applyCartCommand, event.data, client).then(
              (result) => send(ws, { type: 'cart-result', ...result }),
              (error: unknown) => {
                const { code, message } = apiErrorOf(error)
                send(ws, { type: 'error', error: code, message })
              },
            )
          },
          onClose() {
            close()
          },
        }
      }),
    )
    .get('/ws', () => {
      throw new ApiError(426, 'upgrade_required', '/ws speaks WebSocket: connect with a WebSocket client', {
        Upgrade: 'websocket',
      })
    })
    .all('/ws', methodNotAllowed('GET'))
}

async function commandResult(applyCartCommand: ApplyCartCommand, data: unknown, client: string) {
  if (typeof data !== 'string') throw invalidRequest('send commands as text frames of JSON')
  let command: unknown
  try {
    command = JSON.parse(data)
  } catch {
    throw invalidRequest('the frame is not valid JSON')
  }
  parseInput(commandFrame, command)
  return (await applyCartCommand(command, client)).body
}
