import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import type { Hub } from '../../push/hub.js'
import type { Published } from '../../push/published.js'
import { methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { parseInput, versionCursor } from '../input.js'
import { clientAddressOf, headerOf } from '../node-bindings.js'

const eventsInput = z.object({
  since: versionCursor('since').optional(),
  lastEventId: versionCursor('Last-Event-ID').optional(),
})

/** One version as a Server-Sent Event: its id is the version, so a reconnecting browser says what it has. */
const stockEvent = ({ snapshot, json }: Published) => `event: stock\nid: ${snapshot.version}\ndata: ${json}\n\n`

const HEARTBEAT = ': heartbeat\n\n'

export const SSE_TRANSPORT = 'sse'

/**
 * `GET /events`: the stock as Server-Sent Events, one `stock` event per version. The current stock is sent
 * at once, unless the client says it has it already (`Last-Event-ID`, as a browser sends on reconnecting, or
 * else `?since=`); a comment every `heartbeatSeconds` keeps proxies from closing an idle stream.
 */
export function eventsRoutes(hub: Hub, heartbeatSeconds: number, heldPerClient: HeldPerClient): Hono {
  return new Hono()
    .get('/events', (c) => {
      const { since, lastEventId } = parseInput(eventsInput, {
        since: c.req.query('since'),
        lastEventId: headerOf(c, 'Last-Event-ID'),
      })
      const release = heldPerClient.admit(clientAddressOf(c))
      // Proxies such as nginx would otherwise hold events back in a buffer.
      c.header('X-Accel-Buffering', 'no')
      return streamSSE(c, (stream) => {
        let stop: () => void = () => {}
        // Resolving closes the stream: when the client goes away or the hub closes.
        const ended = new Promise<void>((resolve) => (stop = resolve))
        const heartbeat = setInterval(() => void stream.write(HEARTBEAT), heartbeatSeconds * 1000)
        const unsubscribe = hub.subscribe(SSE_TRANSPORT, lastEventId ?? since, {
          send: (published) => void stream.write(published.as(stockEvent)),
          end: stop,
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
