import { Hono } from 'hono'
import type { Store } from '../../store/store.js'

/** `GET /healthz`: the process is up and serving. `GET /readyz`: and its store can serve too. */
export function healthRoutes(store: Store): Hono {
  return new Hono()
    .get('/healthz', (c) => c.json({ ok: true }))
    .get('/readyz', async (c) => {
      await store.check()
      return c.json({ ok: true })
    })
}
