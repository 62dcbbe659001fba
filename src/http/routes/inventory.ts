import { Hono } from 'hono'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { methodNotAllowed } from '../errors.js'
import { classicStock } from '../stock-bodies.js'

/** `GET /inventory`: the default product's stock now, without waiting, as the classic API answers it. */
export function inventoryRoutes(store: Store, defaultSku: string): Hono {
  return new Hono()
    .get('/inventory', async () => {
      const { epoch, products } = await store.catalog([defaultSku])
      return jsonAnswerOf(classicStock(products[0]!, epoch))
    })
    .all('/inventory', methodNotAllowed('GET'))
}
