import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import { z } from 'zod'
import { MAX_TOKEN_LENGTH } from '../domain/tokens.js'
import { invalidRequest } from '../edge/api-error.js'
import type { ApplyCartCommand } from '../edge/cart-action.js'
import { epochField, fieldsOf, MAX_WATCHED_SKUS, parseInput, parseJson, skuField, skusField } from '../edge/input.js'
import type { Operation } from '../edge/openapi/operation.js'
import { HOLDING_REFUSED, refusals } from '../edge/openapi/refusals.js'
import type { HeaderReader } from '../edge/request-facts.js'
import { apiErrorOf } from '../edge/refusals.js'
import type { Logger } from '../logger.js'
import type { Hub } from '../push/hub.js'
import type { Subscription } from '../push/subscription.js'
import { TooManyWaitersError } from '../push/too-many-waiters-error.js'
import type { Encoding } from '../push/update.js'
import type { Cursor, Watch } from '../push/watch.js'
import { MAX_BACKLOG_BYTES } from './backlog.js'
import type { ClassicApi } from './classic.js'
import type { StockJson } from './stock-json.js'
import { watchOf } from './watch.js'
import { textFrame } from './websocket-frame.js'

/**
 * The largest WebSocket frame taken: a larger one closes the socket with 1009 (message too big). A subscribe
 * frame of as many of the longest SKUs as a client may watch fits, each quoted with its comma.
 */
export const MAX_FRAME_BYTES = 1024 + MAX_WATCHED_SKUS * (MAX_TOKEN_LENGTH + 3)

/** What the WebSocket handshake needs, checked here so that a bad one is refused like any request. */
const handshake = z.object({
  key: z
    .string({ error: 'Sec-WebSocket-Key is required' })
    .regex(/^[A-Za-z0-9+/]{22}==$/, { error: 'Sec-WebSocket-Key must be 16 bytes in base64' }),
  version: z.literal(['8', '13'], { error: 'Sec-WebSocket-Version must be 13' }),
})

/** What every frame a client sends is: one of three commands. */
const commandFrame = z.object(
  {
    type: z.enum(['cart', 'subscribe', 'unsubscribe'], {
      error: "type must be 'cart', 'subscribe' or 'unsubscribe'",
    }),
  },
  { error: 'the frame must be a command: {"type":"cart"|"subscribe"|"unsubscribe", …}' },
)

const WATCHED = { error: `skus must be "*" or a list of 1 to ${MAX_WATCHED_SKUS} SKUs` }

/**
 * `subscribe` and `unsubscribe`: `skus` is `"*"` for the whole catalog, or a list of SKUs. The first
 * subscribe may give a cursor, `since` (the catalog's version) and `epoch`, for a socket that reconnects to
 * be sent only what moved since.
 */
const watchFrame = z
  .object({
    skus: z.union([z.literal('*'), z.array(skuField).min(1, WATCHED).max(MAX_WATCHED_SKUS, WATCHED)], WATCHED),
    since: z.number().int().min(0, { error: 'since must be a version you were sent' }).optional(),
    epoch: epochField('epoch').optional(),
  })
  .refine((frame) => frame.epoch === undefined || frame.since !== undefined, {
    error: 'epoch goes with since: the version you last saw in that epoch',
  })

const connectQuery = z.object({
  skus: skusField.optional().meta({ description: 'The products to watch: * for all; none for the classic socket' }),
})

const socket = {
  method: 'get',
  path: '/ws',
  summary: 'The stock over a WebSocket, and cart actions as frames',
  description:
    'Frames in: {"type":"cart", …the fields of POST /cart}, {"type":"subscribe"|"unsubscribe","skus":[…]|"*"}. ' +
    'Frames out: {"type":"stock", …} (classic), {"type":"products","epoch","version","products"}, ' +
    '{"type":"cart-result", …}, {"type":"error","error","message"}.',
  query: connectQuery,
  answers: {
    101: { description: 'Switching Protocols: the socket is open' },
    ...refusals([400, 404, 426, 429, 503], {
      400: 'invalid_request: a bad query or handshake',
      426: 'upgrade_required: a plain GET; connect with a WebSocket client',
      503: HOLDING_REFUSED,
    }),
  },
} as const satisfies Operation

export const websocketOperations: readonly Operation[] = [socket]

/** An update as a WebSocket frame of `type`, its JSON as `json` writes it. */
const frameOf =
  (type: string, json: Encoding): Encoding<Buffer> =>
  (update) =>
    textFrame(`{"type":"${type}",${update.as(json).slice(1)}`)

/**
 * Whether a socket may be sent a frame now: not when it is closing, and not when its client has stopped
 * reading, which cuts it (a close frame would wait behind the backlog it is meant to end).
 */
function mayBeSent(ws: WebSocket): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false
  if (ws.bufferedAmount <= MAX_BACKLOG_BYTES) return true
  ws.terminate()
  return false
}

export interface WebSocketOptions {
  readonly hub: Hub
  /** What a socket that names no product is: the classic socket, whose cart commands act on its product. */
  readonly classic: ClassicApi
  readonly json: StockJson
  readonly applyCartCommand: ApplyCartCommand
  readonly logger: Logger
}

/**
 * `GET /ws`: the stock over a WebSocket. Connected without `?skus=`, it is the classic socket: the default
 * product's `{"type":"stock", ...}` on connect and on every change. With `?skus=` (or after a
 * `{"type":"subscribe","skus":[…]|"*"}` frame), `{"type":"products","epoch","version","products":[…]}`
 * frames carry the products it watches: all of them first, then those that change; `unsubscribe` frames stop
 * some. A client may send `{"type":"cart", …}` with the fields of `POST /cart` and is answered
 * `{"type":"cart-result", …}` or, with the same checks and codes, `{"type":"error","error","message"}`; a
 * frame that is not such a command gets an error frame too, and the connection stays open. A handshake is
 * refused like any request, with a status and a JSON body, before the socket is opened.
 */
export class WebSockets {
  readonly #server = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  /** The frames of the hub's updates: one encoding of each, so that each update is framed once. */
  readonly #frames: Frames

  constructor(readonly options: WebSocketOptions) {
    this.#frames = {
      stock: frameOf('stock', options.json.classic),
      products: frameOf('products', options.json.catalog),
    }
  }

  /** What a handshake asks to follow; a bad one is a 400, a product the catalog lacks a 404. */
  watchFor(search: string, header: HeaderReader): Watch {
    parseInput(handshake, { key: header('Sec-WebSocket-Key'), version: header('Sec-WebSocket-Version') })
    const { skus } = parseInput(connectQuery, fieldsOf(new URLSearchParams(search)))
    return watchOf(skus, this.options.classic, this.options.hub.catalog)
  }

  /**
   * Completes the handshake and follows `watch`, for `client`; `release` is called once the socket closes.
   * Throws, having written nothing, when the hub is full.
   */
  accept(upgrade: WebSocketUpgrade, watch: Watch, client: string, release: () => void): void {
    this.options.hub.assertRoom()
    upgrade.socket.on('close', release)
    this.#server.handleUpgrade(upgrade.incoming, upgrade.socket, upgrade.head, (ws) =>
      new Socket(ws, upgrade.socket, client, this.options, this.#frames).follow(watch, undefined),
    )
  }
}

/** The hub's updates as frames: the default product's stock as the classic `stock` frame, and the products that moved. */
interface Frames {
  readonly stock: Encoding<Buffer>
  readonly products: Encoding<Buffer>
}

/** What Node's server hands over of an upgrade request: the request, its socket, and what it read past the head. */
export interface WebSocketUpgrade {
  readonly incoming: IncomingMessage
  readonly socket: Duplex
  readonly head: Buffer
}

/** One client's socket: what it follows, and what it asks. */
class Socket {
  /** The classic stream of the default product, or the catalog's products it watches; at most one of each. */
  #classic: Subscription | undefined
  #catalog: { readonly subscription: Subscription; readonly all: boolean } | undefined

  constructor(
    readonly ws: WebSocket,
    /** The socket ws speaks on, which the hub's frames are written to as they are. */
    readonly socket: Duplex,
    readonly client: string,
    readonly options: WebSocketOptions,
    readonly frames: Frames,
  ) {
    // ws closes the socket itself on a protocol error (a frame too large is 1009) and reports it here.
    ws.on('error', (err) => options.logger.debug({ err }, 'a WebSocket failed'))
    ws.on('close', () => {
      this.#classic?.end()
      this.#catalog?.subscription.end()
    })
    ws.on('message', (data, isBinary) => {
      // Frames that arrived with the ones that got the socket cut are not acted on.
      if (ws.readyState !== WebSocket.OPEN) return
      this.#command(Buffer.isBuffer(data) && !isBinary ? data.toString() : undefined).then(
        (reply) => reply !== undefined && mayBeSent(ws) && ws.send(JSON.stringify(reply)),
        (error: unknown) => {
          const { code, message } = apiErrorOf(error, options.logger, 'change')
          if (mayBeSent(ws)) ws.send(JSON.stringify({ type: 'error', error: code, message }))
        },
      )
    })
  }

  /** Follows `watch`: the classic stream, or the catalog's products. */
  follow(watch: Watch, since: Cursor | undefined): void {
    const { ws, socket, options } = this
    const classic = watch === options.classic.watch
    const frame = classic ? this.frames.stock : this.frames.products
    let subscription: Subscription
    try {
      subscription = options.hub.subscribe('ws', watch, since, {
        send: (update) => {
          if (mayBeSent(ws)) socket.write(update.as(frame))
        },
        end: () => ws.close(1001, 'the server is shutting down'),
      })
    } catch (error) {
      // The hub filled up during the handshake, or since.
      if (!(error instanceof TooManyWaitersError)) throw error
      return ws.close(1013, 'the server is full; try again later')
    }
    if (classic) this.#classic = subscription
    else this.#catalog = { subscription, all: watch.kind === 'all' }
  }

  async #command(text: string | undefined): Promise<object | undefined> {
    if (text === undefined) throw invalidRequest('send commands as text frames of JSON')
    const frame = parseJson(text, 'the frame')
    const { type } = parseInput(commandFrame, frame)
    if (type === 'cart')
      return {
        type: 'cart-result',
        ...(await this.options.applyCartCommand({ source: 'json', fields: frame }, this.client)).body,
      }
    const { skus, since, epoch } = parseInput(watchFrame, frame)
    const watch = watchOf(skus, this.options.classic, this.options.hub.catalog)
    if (type === 'subscribe') this.#subscribe(watch, since === undefined ? undefined : { version: since, epoch })
    else this.#unsubscribe(watch)
    return undefined
  }

  #subscribe(watch: Watch, since: Cursor | undefined): void {
    const catalog = this.#catalog
    if (!catalog || (watch.kind === 'all' && !catalog.all)) {
      catalog?.subscription.end()
      return this.follow(watch, since)
    }
    if (watch.kind === 'products' && !catalog.all) catalog.subscription.watch(watch.skus)
  }

  #unsubscribe(watch: Watch): void {
    const catalog = this.#catalog
    if (!catalog) return
    if (watch.kind === 'all' || catalog.all) {
      catalog.subscription.end()
      this.#catalog = undefined
    } else if (watch.kind === 'products') catalog.subscription.unwatch(watch.skus)
  }
}
