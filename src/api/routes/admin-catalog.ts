import { Hono } from 'hono'
import { z } from 'zod'
import { stockView } from '../../domain/product.js'
import { adminFields, productShape } from '../../edge/admin-input.js'
import { jsonAnswerOf } from '../../edge/answer.js'
import { idempotencyHeaders, skuField } from '../../edge/input.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'
import { stockViewBody } from '../../edge/stock-bodies.js'
import { putRefusal } from '../../edge/stock-refusals.js'
import type { AdminService } from '../../shop/admin-service.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import { idempotencyKeyOf, readBody } from '../input.js'

/** The most products one bulk put may name. */
export const MAX_BULK_PRODUCTS = 10_000

const bulkFields = {
  json: adminFields(
    {
      products: z
        .array(
          adminFields(
            { sku: skuField, ...productShape('json') },
            'the fields sku, name and onHand, and maybe expected',
          ),
        )
        .min(1, { error: 'products must name at least one product' })
        .max(MAX_BULK_PRODUCTS, { error: `products may name at most ${MAX_BULK_PRODUCTS} products` })
        .refine((products) => new Set(products.map(({ sku }) => sku)).size === products.length, {
          error: 'products names a sku twice',
        }),
    },
    'the field products',
  ),
}

const bulkResult = z.union([
  z.object({ sku: z.string(), created: z.boolean(), product: stockViewBody }),
  z.object({ sku: z.string(), error: z.string(), message: z.string() }).catchall(z.unknown()),
])

const adminProductBody = stockViewBody.extend({
  openOrders: z
    .object({ orders: z.number().int(), units: z.number().int() })
    .meta({ description: 'The orders still placed that name it, and the units they sold of it' }),
})

const listProducts = {
  method: 'get',
  path: '/admin/products',
  summary: 'Every product, in catalog order, with every count and its open orders',
  admin: true,
  answers: {
    200: {
      description: 'The catalog',
      body: z.object({ epoch: z.string(), version: z.number().int(), products: z.array(adminProductBody) }),
    },
    ...refusals([401, 429, 503]),
  },
} as const satisfies Operation

const putProducts = {
  method: 'put',
  path: '/admin/products',
  summary: 'Create or replace many products, each as PUT /admin/products/{sku} would, in order',
  description:
    'Each product is its own change, made or refused alone; the answer says what became of each. Under an ' +
    'Idempotency-Key, a retry answers each product as first, never changing one twice.',
  admin: true,
  headers: idempotencyHeaders,
  body: bulkFields,
  answers: {
    200: { description: 'What became of each product, in order', body: z.object({ results: z.array(bulkResult) }) },
    ...refusals([400, 401, 422, 429, 503]),
  },
} as const satisfies Operation

export const adminCatalogOperations: readonly Operation[] = [listProducts, putProducts]

/** The whole catalog as the admin sees it, and many products put at once: a sync from the shop's own system. */
export function adminCatalogRoutes(admin: AdminService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get(routeOf(listProducts), async () => {
      const [{ epoch, version, products }, open] = await Promise.all([admin.catalog(), admin.openOrders()])
      const none = { orders: 0, units: 0 }
      return jsonAnswerOf({
        epoch,
        version,
        products: products.map((product) => ({ ...stockView(product), openOrders: open.get(product.sku) ?? none })),
      } satisfies z.infer<(typeof listProducts.answers)[200]['body']>)
    })
    .put(routeOf(putProducts), async (c) => {
      const key = idempotencyKeyOf(c)
      const { products } = await readBody(c, bulkFields)
      const results = []
      for (const input of products) {
        // Each product's own key, from the request's: a retry replays each, whichever it reached before.
        const result = await admin.putProduct(input, key === undefined ? undefined : `${key}:${input.sku}`)
        if (result.ok) {
          results.push({ sku: input.sku, created: result.created, product: stockView(result.product) })
          continue
        }
        const { code, message, details } = putRefusal(input.sku, input.expected, result, {})
        results.push({ sku: input.sku, error: code, message, ...details })
      }
      return jsonAnswerOf({ results })
    })
    .all(routeOf(putProducts), methodNotAllowed('GET, PUT'))
}
