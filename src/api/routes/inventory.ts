import { Hono } from 'hono'
import type { ShopperService } from '../../shop/shopper-service.js'
import { jsonAnswerOf } from '../../edge/answer.js'
import { methodNotAllowed } from '../errors.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'
import { classicStockBody, type StockBodies } from '../../edge/stock-bodies.js'

const inventory = {
  method: 'get',
  path: '/inventory',
  summary: "The default product's stock now, as the classic API answers it",
  answers: { 200: { description: 'The stock', body: classicStockBody }, ...refusals([503]) },
} as const satisfies Operation

export const inventoryOperations: readonly Operation[] = [inventory]

/** `GET /inventory`: the default product's stock now, without waiting, as the classic API answers it. */
export function inventoryRoutes(shopper: ShopperService, bodies: StockBodies): Hono {
  return new Hono()
    .get(routeOf(inventory), async () => {
      const { epoch, products } = await shopper.catalog([shopper.defaultSku])
      return jsonAnswerOf(bodies.classic(products[0]!, epoch))
    })
    .all(routeOf(inventory), methodNotAllowed('GET'))
}
