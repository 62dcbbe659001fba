import type { ServerResponse } from 'node:http'
import { z } from 'zod'
import { cursorQuery, fieldsOf, parseInput, skusField } from '../edge/input.js'
import type { Operation } from '../edge/openapi/operation.js'
import { HOLDING_REFUSED, refusals } from '../edge/openapi/refusals.js'
import { jitteredReconnectMs } from '../edge/reconnect-pacing.js'
import { Remembered } from '../edge/remembered.js'
import type { Hub } from '../push/hub.js'
import type { Encoding, Update } from '../push/update.js'
import type { Cursor, Watch } from '../push/watch.js'
import { MAX_BACKLOG_BYTES } from './backlog.js'
import type { ClassicApi } from './classic.js'
import type { StockJson } from './stock-json.js'
import { watchOf } from './watch.js'

/** An event's id, `<epoch>:<version>`, as a browser sends it back; a bare version is of the current epoch. */
const eventId = z
  .string()
  .regex(/^(?:[A-Za-z0-9_-]{1,64}:)?\d{1,15}$/, { error: 'Last-Event-ID must be the id of an event you were sent' })
  .transform((id): Cursor => {
    const [version, epoch] = id.split(':').reverse()
    return { version: Number(version), epoch }
  })

const eventsQuery = { skus: skusField.optional().meta({ description: 'The products to watch: * for all' }) }
const eventsInput = cursorQuery({ ...eventsQuery, lastEventId: eventId.optional() })

/** Checks the query of a stream, with the `Last-Event-ID` it was sent, once per distinct pair. */
const REMEMBERED_QUERIES = 256

const stream = {
  method: 'get',
  path: '/events',
  summary: 'The stock as Server-Sent Events: every watched product at once, then an event per change',
  description:
    'Without skus, the classic stream of `stock` events of the default product; with them, `products` events. ' +
    'Each event id is `<epoch>:<version>`: a browser that reconnects sends it back as Last-Event-ID.',
  query: cursorQuery(eventsQuery),
  headers: z.object({
    'Last-Event-ID': eventId.optional().meta({ description: 'The id of the last event you have' }),
  }),
  answers: {
    200: {
      description: 'The stream',
      contentType: 'text/event-stream',
      body: z.string().meta({ description: 'event: stock|products, id: <epoch>:<version>, data: as /status answers' }),
    },
    ...refusals([400, 404, 429, 503], { 503: HOLDING_REFUSED }),
  },
} as const satisfies Operation

export const eventsOperations: readonly Operation[] = [stream]

/**
 * An update as a Server-Sent Event. Its id is the epoch and the version, so a reconnecting browser says
 * what it has, and one that reconnects to a stock that started again is sent the new one at once. The
 * classic stream's events are `stock` events with the default product's version; a catalog stream's are
 * `products` events with the catalog's.
 */
const eventOf =
  (name: string, json: Encoding, versionOf: (update: Update) => number): Encoding =>
  (update) =>
    `event: ${name}\nid: ${update.epoch}:${versionOf(update)}\ndata: ${update.as(json)}\n\n`

const CRLF = Buffer.from('\r\n')

/**
 * Text as the stream's body carries it: as a chunk of a chunked body (what Node sends an HTTP/1.1 client),
 * or as it is (to an HTTP/1.0 client, whose body ends when the connection does).
 */
const FRAMINGS = {
  chunked: (text: string): Buffer => {
    const bytes = Buffer.from(text)
    return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, CRLF])
  },
  plain: (text: string): Buffer => Buffer.from(text),
}
type Framing = keyof typeof FRAMINGS

/** An update as each framing carries it, for one kind of event. */
type FramedEvent = Readonly<Record<Framing, Encoding<Buffer>>>

const framed = (event: Encoding): FramedEvent => ({
  chunked: (update) => FRAMINGS.chunked(update.as(event)),
  plain: (update) => FRAMINGS.plain(update.as(event)),
})

const HEARTBEAT = { chunked: FRAMINGS.chunked(': heartbeat\n\n'), plain: FRAMINGS.plain(': heartbeat\n\n') }

/**
 * The head of every stream: never cached, and not held back in a buffer by a proxy such as nginx (which
 * reads `X-Accel-Buffering`); the body comes in chunks, as events happen.
 */
const STREAM_HEAD: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
})

export interface EventStreamOptions {
  readonly hub: Hub
  /** What a stream that names no product is: the classic stream. */
  readonly classic: ClassicApi
  readonly json: StockJson
  /** How often an idle stream gets a comment, so that proxies keep it open. */
  readonly heartbeatSeconds: number
}

/** A stream as a request asks for it: what it watches, from where, and how its events are written. */
export interface Stream {
  readonly watch: Watch
  readonly cursor: Cursor | undefined
  readonly event: FramedEvent
}

/**
 * `GET /events?skus=<sku,...|*>`: the stock as Server-Sent Events, an event per change to what the stream
 * watches (without `skus`, the classic stream of the default product's `stock` events). What the client
 * lacks is sent at once: every watched product, unless it says what it has already (`Last-Event-ID`, as a
 * browser sends on reconnecting, or else `?since=` and `&epoch=`), in which case only what moved since. A
 * comment every `heartbeatSeconds` keeps proxies from closing an idle stream. Each event is written straight
 * to Node's response, encoded once for every stream that is sent it.
 */
export class EventStreams {
  readonly #classicEvent: FramedEvent
  readonly #catalogEvent: FramedEvent
  readonly #queries = new Remembered(REMEMBERED_QUERIES, (query: string) => {
    // JSON writes a missing Last-Event-ID as null.
    const [search, lastEventId] = JSON.parse(query) as [string, string | null]
    return parseInput(eventsInput, { ...fieldsOf(new URLSearchParams(search)), lastEventId: lastEventId ?? undefined })
  })

  constructor(readonly options: EventStreamOptions) {
    const { classic, json } = options
    this.#classicEvent = framed(eventOf('stock', json.classic, (update) => classic.stockOf(update).version))
    this.#catalogEvent = framed(eventOf('products', json.catalog, (update) => update.version))
  }

  /** The stream a request asks for; a bad query is a 400, a product the catalog lacks a 404. */
  streamFor(search: string, lastEventId: string | undefined): Stream {
    const { cursor, skus, lastEventId: resumed } = this.#queries.of(JSON.stringify([search, lastEventId]))
    return {
      watch: watchOf(skus, this.options.classic, this.options.hub.catalog),
      cursor: resumed ?? cursor,
      event: skus === undefined ? this.#classicEvent : this.#catalogEvent,
    }
  }

  /**
   * Opens the stream on Node's response; `release` is called once the connection closes. Throws, having
   * written nothing, when the hub is full.
   */
  open(
    { watch, cursor, event }: Stream,
    outgoing: ServerResponse,
    head: Readonly<Record<string, string>>,
    release: () => void,
  ): void {
    const { hub } = this.options
    hub.assertRoom()
    outgoing.req.resume()
    outgoing.writeHead(200, { ...STREAM_HEAD, ...head })
    outgoing.flushHeaders()
    const send = bodyWriter(outgoing)
    // In the same turn as the check for room, so the hub cannot have filled up in between.
    const subscription = hub.subscribe('sse', watch, cursor, {
      send: (update) => send((framing) => update.as(event[framing])),
      // The hub is closing: the browser reconnects after `retry` ms, spread like the long polls.
      end: () => outgoing.end(`retry: ${jitteredReconnectMs()}\n\n`),
    })
    const heartbeat = setInterval(() => send((framing) => HEARTBEAT[framing]), this.options.heartbeatSeconds * 1000)
    outgoing.on('close', () => {
      clearInterval(heartbeat)
      subscription.end()
      release()
    })
  }
}

/**
 * Writes a stream's body, given its bytes in either framing. Straight to the socket, each event framed once
 * for every stream that is sent it, where Node's response would frame and copy it again for each
 * (docs/performance.md has the figures); through the response while the socket is not yet the response's own,
 * as for a request pipelined behind another. A client that stopped reading is cut, not buffered for.
 */
function bodyWriter(outgoing: ServerResponse): (bytes: (framing: Framing) => Buffer) => void {
  const socket = outgoing.socket
  if (!socket) {
    return (bytes) => {
      if (outgoing.writableLength > MAX_BACKLOG_BYTES) return outgoing.destroy()
      outgoing.write(bytes('plain'))
    }
  }
  const framing: Framing = outgoing.chunkedEncoding ? 'chunked' : 'plain'
  return (bytes) => {
    if (socket.writableLength > MAX_BACKLOG_BYTES) return outgoing.destroy()
    socket.write(bytes(framing))
  }
}
