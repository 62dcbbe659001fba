import { Hono } from 'hono'
import type { Hub } from '../../push/hub.js'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { SSE_TRANSPORT } from './events.js'
import { WS_TRANSPORT } from './websocket.js'

/** The requests and streams `hub` holds open, by transport. */
export const heldByTransport = (hub: Hub) => ({
  longPoll: hub.held,
  sse: hub.subscribers(SSE_TRANSPORT),
  ws: hub.subscribers(WS_TRANSPORT),
})

/**
 * `GET /healthz`: the process is up, and how many clients it holds on each transport (for operators, tests
 * and the benchmark). `GET /readyz`: and its store can serve, and hears of changes: on Redis a test message
 * must make the whole trip through the change channel, within a second.
 */
export function healthRoutes(store: Store, hub: Hub): Hono {
  return new Hono()
    .get('/healthz', () => jsonAnswerOf({ ok: true, held: heldByTransport(hub) }))
    .get('/readyz', async () => {
      await store.check()
      return jsonAnswerOf({ ok: true })
    })
}
