import { Hono } from 'hono'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { methodNotAllowed } from '../errors.js'
import { routeOf, type Operation } from '../openapi/operation.js'
import { refusals } from '../openapi/refusals.js'
import { classicStock, classicStockBody } from '../stock-bodies.js'

const inventory = {
  method: 'get',
  path: '/inventory',
  summary: "The default product's stock now, as the classic API answers it",
  answers: { 200: { description: 'The stock', body: classicStockBody }, ...refusals([503]) },
} as const satisfies Operation

export const inventoryOperations: readonly Operation[] = [inventory]

/** `GET /inventory`: the default product's stock now, without waiting, as the classic API answers it. */
export function inventoryRoutes(store: Store, defaultSku: string): Hono {
  return new Hono()
    .get(routeOf(inventory), async () => {
      const { epoch, products } = await store.catalog([defaultSku])
      return jsonAnswerOf(classicStock(products[0]!, epoch))
    })
    .all(routeOf(inventory), methodNotAllowed('GET'))
}
