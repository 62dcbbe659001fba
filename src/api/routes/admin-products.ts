import { Hono, type Handler } from 'hono'
import { z } from 'zod'
import type { Clock } from '../../clock.js'
import { MAX_ON_HAND, stockView } from '../../domain/product.js'
import type { AdminService } from '../../shop/admin-service.js'
import { jsonAnswerOf, replayHeaders } from '../../edge/answer.js'
import { ApiError } from '../../edge/api-error.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import {
  bodySchemas,
  flag,
  idempotencyHeaders,
  parseInput,
  sessionField,
  singleText,
  skuField,
  wholeNumber,
} from '../../edge/input.js'
import { idempotencyKeyOf, readBody } from '../input.js'
import { adminFields, expectedField, productShape } from '../../edge/admin-input.js'
import { REPLAYED_HEADER, routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'
import { holdBody, holdBodySchema } from '../../edge/sale-bodies.js'
import { boundRefusal, conflictRefusal, putRefusal } from '../../edge/stock-refusals.js'
import { stockViewBody } from '../../edge/stock-bodies.js'

const productPath = z.object({ sku: skuField.meta({ examples: ['default'] }) })
const holdPath = z.object({
  sku: skuField.meta({ examples: ['default'] }),
  session: sessionField.meta({ examples: ['abc'] }),
})

const reasonField = singleText('reason')
  .trim()
  .min(1, { error: 'reason must not be empty' })
  .max(200, { error: 'reason must be at most 200 characters' })

const productFields = bodySchemas((source) =>
  adminFields(productShape(source), 'the fields name and onHand, and maybe expected'),
)

const adjustmentFields = bodySchemas((source) =>
  adminFields(
    {
      delta: wholeNumber('delta', -MAX_ON_HAND, MAX_ON_HAND, source).meta({
        description: 'Units to add to onHand (a delivery) or, negative, to take off (a count, a breakage)',
        examples: [5],
      }),
      reason: reasonField.meta({ examples: ['delivery'] }),
      expected: expectedField(source),
    },
    'the fields delta and reason, and maybe expected',
  ),
)

const saleFields = bodySchemas((source) =>
  adminFields(
    {
      quantity: wholeNumber('quantity', 1, MAX_ON_HAND, source).meta({ examples: [2] }),
      reason: reasonField.default('sold elsewhere').meta({ examples: ['till 3'] }),
      expected: expectedField(source),
      takeFromHolds: flag('takeFromHolds', source)
        .optional()
        .meta({
          description:
            "true: what no cart holds falls short of is taken from carts' holds, the newest first, and each " +
            'shopper whose hold is cut is told; without it, a sale refuses to touch a hold',
        }),
    },
    'the field quantity, and maybe reason, expected and takeFromHolds',
  ),
)

const productAnswer = z.object({ product: stockViewBody })
const CONFLICT = 'conflict: onHand is not `expected` (`current` says what it is)'
const putAnswer = z.object({ product: stockViewBody, created: z.boolean() })
const releaseAnswer = z.object({ released: z.number().int().min(0), product: stockViewBody })
const holdsAnswer = z.object({ sku: z.string(), holds: z.array(holdBodySchema) })

const putProduct = {
  method: 'put',
  path: '/admin/products/{sku}',
  summary: 'Create a product, or set its name and onHand',
  admin: true,
  params: productPath,
  headers: idempotencyHeaders,
  body: productFields,
  answers: {
    200: { description: 'Replaced', body: putAnswer, headers: REPLAYED_HEADER },
    201: { description: 'Created, last in the catalog', body: putAnswer, headers: REPLAYED_HEADER },
    ...refusals([400, 401, 409, 422, 429, 503], {
      409: `${CONFLICT}; below_held: carts hold more (\`held\`); on_hand_limit: past the most a product may have (\`limit\`)`,
    }),
  },
} as const satisfies Operation

const adjust = {
  method: 'post',
  path: '/admin/products/{sku}/adjustments',
  summary: 'Restock or shrink a product by a delta, with a reason',
  admin: true,
  params: productPath,
  headers: idempotencyHeaders,
  body: adjustmentFields,
  answers: {
    200: { description: 'The product after it', body: productAnswer, headers: REPLAYED_HEADER },
    ...refusals([400, 401, 404, 409, 422, 429, 503], {
      409: `${CONFLICT}; below_held: carts hold more (\`held\`); on_hand_limit: past the most a product may have (\`limit\`)`,
    }),
  },
} as const satisfies Operation

const sell = {
  method: 'post',
  path: '/admin/products/{sku}/sales',
  summary: 'Record a sale made elsewhere (a till, another channel): the units leave onHand, as a sale in the ledger',
  admin: true,
  params: productPath,
  headers: idempotencyHeaders,
  body: saleFields,
  answers: {
    200: { description: 'The product after it', body: productAnswer, headers: REPLAYED_HEADER },
    ...refusals([400, 401, 404, 409, 422, 429, 503], {
      409: `${CONFLICT}; insufficient_stock: fewer units than that are in no cart, or with takeFromHolds on hand (\`available\`)`,
    }),
  },
} as const satisfies Operation

/** Archiving a product (`archived`), or selling it again. */
const archiving = (archived: boolean) =>
  ({
    method: 'post',
    path: archived ? '/admin/products/{sku}/archive' : '/admin/products/{sku}/unarchive',
    summary: archived
      ? 'Archive a product: no longer sold, it takes no new holds; its lines, orders and ledger stay'
      : 'Sell an archived product again',
    admin: true,
    params: productPath,
    headers: idempotencyHeaders,
    answers: {
      200: { description: 'The product after it', body: productAnswer, headers: REPLAYED_HEADER },
      ...refusals([400, 401, 404, 422, 429, 503]),
    },
  }) as const satisfies Operation
const archive = archiving(true)
const unarchive = archiving(false)

const listHolds = {
  method: 'get',
  path: '/admin/products/{sku}/holds',
  summary: 'Every cart line of a product: who holds how many, until when, and lines whose hold lapsed',
  admin: true,
  params: productPath,
  answers: {
    200: { description: 'The lines', body: holdsAnswer },
    ...refusals([400, 401, 404, 429, 503]),
  },
} as const satisfies Operation

const releaseHold = {
  method: 'delete',
  path: '/admin/products/{sku}/holds/{session}',
  summary: "Let go one session's line of a product, its held units back to stock",
  admin: true,
  params: holdPath,
  headers: idempotencyHeaders,
  answers: {
    200: { description: 'What it released', body: releaseAnswer, headers: REPLAYED_HEADER },
    ...refusals([400, 401, 404, 422, 429, 503], { 404: 'not_found: no such product; no_hold: no such line' }),
  },
} as const satisfies Operation

export const adminProductOperations: readonly Operation[] = [
  putProduct,
  adjust,
  sell,
  archive,
  unarchive,
  listHolds,
  releaseHold,
]

/**
 * The admin's changes to products: create or replace one, adjust its `onHand`, record a sale made elsewhere,
 * archive one or sell it again, list and release its holds.
 * Each change is pushed to watchers like any other, and written to the ledger.
 */
export function adminProductRoutes(admin: AdminService, clock: Clock): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .put(routeOf(putProduct), async (c) => {
      const key = idempotencyKeyOf(c)
      const { sku } = parseInput(productPath, c.req.param())
      const fields = await readBody(c, productFields)
      const result = await admin.putProduct({ sku, ...fields }, key)
      const headers = replayHeaders(result.replayed)
      if (result.ok) {
        const body = { product: stockView(result.product), created: result.created }
        return jsonAnswerOf(body, result.created ? 201 : 200, headers)
      }
      throw putRefusal(sku, fields.expected, result, headers)
    })
    .all(routeOf(putProduct), methodNotAllowed('PUT'))
    .post(routeOf(adjust), async (c) => {
      const key = idempotencyKeyOf(c)
      const { sku } = parseInput(productPath, c.req.param())
      const fields = await readBody(c, adjustmentFields)
      const result = await admin.adjust({ sku, ...fields }, key)
      const headers = replayHeaders(result.replayed)
      if (result.ok) return jsonAnswerOf({ product: stockView(result.product) }, 200, headers)
      if (result.error === 'conflict') throw conflictRefusal(sku, fields.expected, result.current, headers)
      throw boundRefusal(sku, result, headers)
    })
    .all(routeOf(adjust), methodNotAllowed('POST'))
    .post(routeOf(sell), async (c) => {
      const key = idempotencyKeyOf(c)
      const { sku } = parseInput(productPath, c.req.param())
      const fields = await readBody(c, saleFields)
      const result = await admin.sell({ sku, ...fields }, key)
      const headers = replayHeaders(result.replayed)
      if (result.ok) return jsonAnswerOf({ product: stockView(result.product) }, 200, headers)
      if (result.error === 'conflict') throw conflictRefusal(sku, fields.expected, result.current, headers)
      const where = fields.takeFromHolds ? 'on hand' : 'in no cart'
      const message = `only ${result.available} of ${sku} are ${where}, not ${fields.quantity}`
      throw new ApiError(409, 'insufficient_stock', message, headers, { available: result.available })
    })
    .all(routeOf(sell), methodNotAllowed('POST'))
    .post(routeOf(archive), archiveHandler(admin, true))
    .all(routeOf(archive), methodNotAllowed('POST'))
    .post(routeOf(unarchive), archiveHandler(admin, false))
    .all(routeOf(unarchive), methodNotAllowed('POST'))
    .get(routeOf(listHolds), async (c) => {
      const { sku } = parseInput(productPath, c.req.param())
      const now = clock.now()
      const holds = await admin.holds(sku)
      return jsonAnswerOf({ sku, holds: holds.map((line) => holdBody(line, now)) })
    })
    .all(routeOf(listHolds), methodNotAllowed('GET'))
    .delete(routeOf(releaseHold), async (c) => {
      const key = idempotencyKeyOf(c)
      const { sku, session } = parseInput(holdPath, c.req.param())
      const result = await admin.releaseHold(sku, session, key)
      const headers = replayHeaders(result.replayed)
      if (!result.ok) throw new ApiError(404, 'no_hold', `${session} has no line of ${sku}`, headers)
      return jsonAnswerOf({ released: result.released, product: stockView(result.product) }, 200, headers)
    })
    .all(routeOf(releaseHold), methodNotAllowed('DELETE'))
}

/** Archives a product (`archived`), or sells it again. */
const archiveHandler =
  (admin: AdminService, archived: boolean): Handler<AppEnv> =>
  async (c) => {
    const key = idempotencyKeyOf(c)
    const { sku } = parseInput(productPath, c.req.param())
    const result = await admin.archive(sku, archived, key)
    return jsonAnswerOf({ product: stockView(result.product) }, 200, replayHeaders(result.replayed))
  }
