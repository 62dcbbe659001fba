import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { CartRules } from '../../domain/cart-rules.js'
import type { ShopperService } from '../../shop/shopper-service.js'
import { jsonAnswerOf } from '../../edge/answer.js'
import { methodNotAllowed } from '../errors.js'
import { parseInput, skuField } from '../../edge/input.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'
import { shopBodySchema, shopperStockBody, type StockBodies } from '../../edge/stock-bodies.js'

const productPath = z.object({ sku: skuField.meta({ examples: ['default'] }) })

const listProducts = {
  method: 'get',
  path: '/products',
  summary: "Every product's stock, the catalog's version and epoch, and the cap on a cart line",
  answers: {
    200: {
      description: 'The catalog',
      body: shopBodySchema,
    },
    ...refusals([503]),
  },
} as const satisfies Operation

const getProduct = {
  method: 'get',
  path: '/products/{sku}',
  summary: "One product's stock",
  params: productPath,
  answers: {
    200: {
      description: 'The product',
      body: z.object({ epoch: z.string(), version: z.number().int(), product: shopperStockBody }),
    },
    ...refusals([400, 404, 503]),
  },
} as const satisfies Operation

export const productsOperations: readonly Operation[] = [listProducts, getProduct]

/** The catalog's snapshot of the product a path's `:sku` names; 400 for a malformed one, 404 for one it lacks. */
const productIn = (shopper: ShopperService, c: Context) => shopper.catalog([parseInput(productPath, c.req.param()).sku])

/** Lets on only a request whose path's `:sku` names a product of the catalog, as `GET /products/:sku` would. */
export function knownProduct(shopper: ShopperService): MiddlewareHandler {
  return async function knownProduct(c, next) {
    await productIn(shopper, c)
    await next()
  }
}

export interface ProductsRouteOptions {
  readonly shopper: ShopperService
  readonly bodies: StockBodies
  readonly rules: CartRules
  readonly shopName: string | undefined
  /** Who checks out: any shopper, or only the shop's back end. */
  readonly checkout: 'open' | 'backend'
}

/**
 * `GET /products`: every product with its stock and version, the catalog's version and epoch, the cap on a
 * cart line, and the shop's name when it has one; `GET /products/:sku`: one of them.
 */
export function productsRoutes({ shopper, bodies, rules, shopName, checkout }: ProductsRouteOptions): Hono {
  return new Hono()
    .get(routeOf(listProducts), async () =>
      jsonAnswerOf({
        ...bodies.catalog(await shopper.catalog()),
        maxPerSession: rules.maxPerSession,
        shopName,
        checkout,
      }),
    )
    .all(routeOf(listProducts), methodNotAllowed('GET'))
    .get(routeOf(getProduct), async (c) => {
      const { epoch, version, products } = await productIn(shopper, c)
      return jsonAnswerOf({ epoch, version, product: bodies.product(products[0]!) })
    })
    .all(routeOf(getProduct), methodNotAllowed('GET'))
}
