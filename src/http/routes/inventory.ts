import { Hono } from 'hono'
import type { Store } from '../../store/store.js'
import { methodNotAllowed } from '../errors.js'

/** `GET /inventory`: the stock now, without waiting. */
export function inventoryRoutes(store: Store): Hono {
  return new Hono()
    .get('/inventory', async (c) => c.json(await store.snapshot()))
    .all('/inventory', methodNotAllowed('GET'))
}
