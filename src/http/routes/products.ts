import { Hono } from 'hono'
import { z } from 'zod'
import type { CartRules } from '../../domain/cart-rules.js'
import { stockView } from '../../domain/product.js'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { methodNotAllowed } from '../errors.js'
import { parseInput, skuField } from '../input.js'
import { catalogBody } from '../stock-bodies.js'

const productPath = z.object({ sku: skuField })

/**
 * `GET /products`: every product with its stock and version, the catalog's version and epoch, and the cap
 * on a cart line; `GET /products/:sku`: one of them.
 */
export function productsRoutes(store: Store, rules: CartRules): Hono {
  return new Hono()
    .get('/products', async () =>
      jsonAnswerOf({ ...catalogBody(await store.catalog()), maxPerSession: rules.maxPerSession }),
    )
    .all('/products', methodNotAllowed('GET'))
    .get('/products/:sku', async (c) => {
      const { sku } = parseInput(productPath, c.req.param())
      const { epoch, version, products } = await store.catalog([sku])
      return jsonAnswerOf({ epoch, version, product: stockView(products[0]!) })
    })
    .all('/products/:sku', methodNotAllowed('GET'))
}
