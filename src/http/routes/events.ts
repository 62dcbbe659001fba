import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Hub } from '../../push/hub.js'
import type { Cursor } from '../../push/watch.js'
import type { Encoding, Update } from '../../push/update.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { cursorQuery, parseInput, queryFields, skusField } from '../input.js'
import { headerOf } from '../node-bindings.js'
import { routeOf, type Operation } from '../openapi/operation.js'
import { HOLDING_REFUSED, refusals } from '../openapi/refusals.js'
import { jitteredReconnectMs } from '../reconnect-pacing.js'
import type { ClassicApi } from '../classic.js'
import { catalogJson, watchOf } from '../watch.js'

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

const CATALOG_EVENT = eventOf('products', catalogJson, (update) => update.version)

const HEARTBEAT = ': heartbeat\n\n'

export interface EventsRouteOptions {
  readonly hub: Hub
  /** What a stream that names no product is: the classic stream. */
  readonly classic: ClassicApi
  /** How often an idle stream gets a comment, so that proxies keep it open. */
  readonly heartbeatSeconds: number
  readonly heldPerClient: HeldPerClient
}

/**
 * `GET /events?skus=<sku,...|*>`: the stock as Server-Sent Events, an event per change to what the stream
 * watches (without `skus`, the classic stream of the default product's `stock` events). What the client
 * lacks is sent at once: every watched product, unless it says what it has already (`Last-Event-ID`, as a
 * browser sends on reconnecting, or else `?since=` and `&epoch=`), in which case only what moved since. A
 * comment every `heartbeatSeconds` keeps proxies from closing an idle stream.
 */
export function eventsRoutes({ hub, classic, heartbeatSeconds, heldPerClient }: EventsRouteOptions): Hono<AppEnv> {
  const classicEvent = eventOf('stock', classic.json, (update) => classic.stockOf(update).version)
  return new Hono<AppEnv>()
    .get(routeOf(stream), (c) => {
      const {
        cursor: queried,
        skus,
        lastEventId,
      } = parseInput(eventsInput, {
        ...queryFields(c),
        lastEventId: headerOf(c, 'Last-Event-ID'),
      })
      const cursor = lastEventId ?? queried
      const watch = watchOf(skus, classic, hub.catalog)
      const event = skus === undefined ? classicEvent : CATALOG_EVENT
      hub.assertRoom()
      const release = heldPerClient.admit(c.get('client'))
      // Proxies such as nginx would otherwise hold events back in a buffer.
      c.header('X-Accel-Buffering', 'no')
      return streamSSE(c, (sse) => {
        let stop: () => void = () => {}
        // Resolving closes the stream: when the client goes away or the hub closes.
        const ended = new Promise<void>((resolve) => (stop = resolve))
        const heartbeat = setInterval(() => void sse.write(HEARTBEAT), heartbeatSeconds * 1000)
        const subscription = hub.subscribe('sse', watch, cursor, {
          send: (update) => void sse.write(update.as(event)),
          // The hub is closing: the browser reconnects after `retry` ms, spread like the long polls.
          end: () => void sse.write(`retry: ${jitteredReconnectMs()}\n\n`).finally(stop),
        })
        sse.onAbort(stop)
        return ended.finally(() => {
          clearInterval(heartbeat)
          subscription.end()
          release()
        })
      })
    })
    .all(routeOf(stream), methodNotAllowed('GET'))
}
