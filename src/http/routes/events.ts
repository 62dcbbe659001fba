import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Cursor, Hub } from '../../push/hub.js'
import type { Published } from '../../push/published.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { cursorQuery, parseInput, queryFields } from '../input.js'
import { headerOf } from '../node-bindings.js'
import { jitteredReconnectMs } from '../reconnect-pacing.js'

/** An event's id, `<epoch>:<version>`, as a browser sends it back; a bare version is of the current epoch. */
const eventId = z
  .string()
  .regex(/^(?:[A-Za-z0-9_-]{1,64}:)?\d{1,15}$/, { error: 'Last-Event-ID must be the id of an event you were sent' })
  .transform((id): Cursor => {
    const [version, epoch] = id.split(':').reverse()
    return { version: Number(version), epoch }
  })

const eventsInput = cursorQuery({ lastEventId: eventId.optional() })

/**
 * One version as a Server-Sent Event. Its id is the epoch and the version, so a reconnecting browser says
 * what it has, and one that reconnects to a stock that started again is sent the new one at once.
 */
const stockEvent = ({ snapshot, json }: Published) =>
  `event: stock\nid: ${snapshot.epoch}:${snapshot.version}\ndata: ${json}\n\n`

const HEARTBEAT = ': heartbeat\n\n'

export interface EventsRouteOptions {
  readonly hub: Hub
  /** How often an idle stream gets a comment, so that proxies keep it open. */
  readonly heartbeatSeconds: number
  readonly heldPerClient: HeldPerClient
}

/**
 * `GET /events`: the stock as Server-Sent Events, one `stock` event per version. The current stock is sent
 * at once, unless the client says it has it already (`Last-Event-ID`, as a browser sends on reconnecting, or
 * else `?since=` and `&epoch=`); a comment every `heartbeatSeconds` keeps proxies from closing an idle stream.
 */
export function eventsRoutes({ hub, heartbeatSeconds, heldPerClient }: EventsRouteOptions): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/events', (c) => {
      const { cursor: queried, lastEventId } = parseInput(eventsInput, {
        ...queryFields(c),
        lastEventId: headerOf(c, 'Last-Event-ID'),
      })
      const cursor = lastEventId ?? queried
      hub.assertRoom()
      const release = heldPerClient.admit(c.get('client'))
      // Proxies such as nginx would otherwise hold events back in a buffer.
      c.header('X-Accel-Buffering', 'no')
      return streamSSE(c, (stream) => {
        let stop: () => void = () => {}
        // Resolving closes the stream: when the client goes away or the hub closes.
        const ended = new Promise<void>((resolve) => (stop = resolve))
        const heartbeat = setInterval(() => void stream.write(HEARTBEAT), heartbeatSeconds * 1000)
        const unsubscribe = hub.subscribe('sse', cursor, {
          send: (published) => void stream.write(published.as(stockEvent)),
          // The hub is closing: the browser reconnects after `retry` ms, spread like the long polls.
          end: () => void stream.write(`retry: ${jitteredReconnectMs()}\n\n`).finally(stop),
        })
        stream.onAbort(stop)
        return ended.finally(() => {
          clearInterval(heartbeat)
          unsubscribe()
          release()
        })
      })
    })
    .all('/events', methodNotAllowed('GET'))
}
