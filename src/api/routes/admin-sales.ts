import { Hono } from 'hono'
import { z } from 'zod'
import type { AdminService } from '../../shop/admin-service.js'
import { jsonAnswerOf, replayHeaders } from '../../edge/answer.js'
import { ApiError } from '../../edge/api-error.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import { idempotencyHeaders, orderPath, parseInput, skuField, wholeNumber } from '../../edge/input.js'
import { idempotencyKeyOf, queryFields } from '../input.js'
import { REPLAYED_HEADER, routeOf, type Operation } from '../../edge/openapi/operation.js'
import { boundRefusal } from '../../edge/stock-refusals.js'
import { refusals } from '../../edge/openapi/refusals.js'
import {
  movementBody,
  movementBodySchema,
  orderBody,
  orderBodySchema,
  verifyBody,
  verifyBodySchema,
} from '../../edge/sale-bodies.js'

/** The most movements one page of the ledger gives. */
export const MAX_MOVEMENTS_PAGE = 1000
const DEFAULT_MOVEMENTS_PAGE = 100

const movementsQuery = z.object({
  sku: skuField.optional().meta({ description: "Only this product's movements" }),
  after: wholeNumber('after', 0, Number.MAX_SAFE_INTEGER)
    .optional()
    .meta({ description: 'The seq of the last movement you have: the page starts after it' }),
  limit: wholeNumber('limit', 1, MAX_MOVEMENTS_PAGE)
    .optional()
    .meta({ description: `At most this many (${DEFAULT_MOVEMENTS_PAGE} when not said)` }),
})

const movementsAnswer = z.object({
  movements: z.array(movementBodySchema),
  next: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'The `after` of the next page; null when this page is the last one so far' }),
})

const movements = {
  method: 'get',
  path: '/admin/movements',
  summary: 'A page of the ledger, oldest first: every change to any onHand or held',
  admin: true,
  query: movementsQuery,
  answers: { 200: { description: 'The page', body: movementsAnswer }, ...refusals([400, 401, 429, 503]) },
} as const satisfies Operation

const verify = {
  method: 'get',
  path: '/admin/verify',
  summary: "Replays the whole ledger and compares it with every product's counters",
  admin: true,
  answers: {
    200: { description: 'The ledger agrees with itself and with every product', body: verifyBodySchema },
    409: { description: 'ledger_diverged: the first divergence', body: verifyBodySchema },
    ...refusals([401, 429, 503]),
  },
} as const satisfies Operation

const cancel = {
  method: 'post',
  path: '/admin/orders/{id}/cancel',
  summary: 'Cancel an order: every unit it sold goes back to onHand',
  admin: true,
  params: orderPath,
  headers: idempotencyHeaders,
  answers: {
    200: {
      description: 'The cancelled order',
      body: z.object({ order: orderBodySchema }),
      headers: REPLAYED_HEADER,
    },
    ...refusals([400, 401, 404, 409, 422, 429, 503], {
      404: 'order_not_found',
      409: 'already_cancelled; on_hand_limit: a product would have more than it may (`limit`)',
    }),
  },
} as const satisfies Operation

export const adminSalesOperations: readonly Operation[] = [movements, verify, cancel]

/** The ledger, paged and verified, and the cancelling of orders: what an admin does with sales. */
export function adminSalesRoutes(admin: AdminService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get(routeOf(movements), async (c) => {
      const { sku, after = 0, limit = DEFAULT_MOVEMENTS_PAGE } = parseInput(movementsQuery, queryFields(c))
      const page = await admin.movements({ sku, after, limit })
      const next = page.length === limit ? page.at(-1)!.seq : null
      return jsonAnswerOf({ movements: page.map(movementBody), next })
    })
    .all(routeOf(movements), methodNotAllowed('GET'))
    .get(routeOf(verify), async () => {
      const divergence = await admin.verify()
      return jsonAnswerOf(verifyBody(divergence), divergence ? 409 : 200)
    })
    .all(routeOf(verify), methodNotAllowed('GET'))
    .post(routeOf(cancel), async (c) => {
      const key = idempotencyKeyOf(c)
      const { id } = parseInput(orderPath, c.req.param())
      const result = await admin.cancelOrder(id, key)
      const headers = replayHeaders(result.replayed)
      if (result.ok) return jsonAnswerOf({ order: orderBody(result.order) }, 200, headers)
      if (result.error === 'order_not_found') throw new ApiError(404, result.error, `there is no order ${id}`, headers)
      if (result.error === 'on_hand_limit') throw boundRefusal(result.sku, result, headers)
      throw new ApiError(409, result.error, `order ${id} is already cancelled`, headers)
    })
    .all(routeOf(cancel), methodNotAllowed('POST'))
}
