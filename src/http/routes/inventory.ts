import { Hono } from 'hono'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { methodNotAllowed } from '../errors.js'

/** `GET /inventory`: the stock now, without waiting. */
export function inventoryRoutes(store: Store): Hono {
  return new Hono()
    .get('/inventory', async () => jsonAnswerOf(await store.snapshot()))
    .all('/inventory', methodNotAllowed('GET'))
}
