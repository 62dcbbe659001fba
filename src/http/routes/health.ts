import { Hono } from 'hono'
import type { Hub } from '../../push/hub.js'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'

/**
 * `GET /healthz`: the process is up, and how many clients it holds on each transport (for operators, tests
 * and the benchmark). `GET /readyz`: and its store can serve, and hears of changes: on Redis a test message
 * must make the whole trip through the change channel, within a second.
 */
export function healthRoutes(store: Store, hub: Hub): Hono {
  return new Hono()
    .get('/healthz', () => jsonAnswerOf({ ok: true, held: hub.heldByTransport() }))
    .get('/readyz', async () => {
      await store.check()
      return jsonAnswerOf({ ok: true })
    })
}
