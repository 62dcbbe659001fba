import { Hono } from 'hono'
import type { Hub } from '../../push/hub.js'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'

/**
 * `GET /healthz`: the process is up, and how many requests it holds (for operators, tests and the benchmark).
 * `GET /readyz`: and its store can serve too.
 */
export function healthRoutes(store: Store, hub: Hub): Hono {
  return new Hono()
    .get('/healthz', () => jsonAnswerOf({ ok: true, held: { longPoll: hub.held } }))
    .get('/readyz', async () => {
      await store.check()
      return jsonAnswerOf({ ok: true })
    })
}
