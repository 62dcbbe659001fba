import { Hono } from 'hono'
import { z } from 'zod'
import type { Metrics } from '../../metrics.js'
import type { AdminService } from '../../shop/admin-service.js'
import { jsonAnswerOf, replayHeaders } from '../../edge/answer.js'
import { ApiError } from '../../edge/api-error.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import { idempotencyHeaders, orderPath, parseInput, singleText, skuField, wholeNumber } from '../../edge/input.js'
import { idempotencyKeyOf, queryFields } from '../input.js'
import { DEFAULT_PAGE, nextAfter, nextCursor, pageLimit } from '../../edge/pages.js'
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

const movementsQuery = z.object({
  sku: skuField.optional().meta({ description: "Only this product's movements" }),
  after: wholeNumber('after', 0, Number.MAX_SAFE_INTEGER)
    .optional()
    .meta({ description: 'The seq of the last movement you have: the page starts after it' }),
  limit: pageLimit(),
})

/** An instant given in a query: ISO 8601, with its offset, as ms since the Unix epoch. */
const instantField = (name: string) =>
  singleText(name)
    .pipe(z.iso.datetime({ offset: true, error: `${name} must be an ISO 8601 instant, such as 2026-12-04T09:30:00Z` }))
    .transform((text) => Date.parse(text))

const ordersQuery = z.object({
  status: z
    .enum(['placed', 'cancelled'], { error: 'status must be placed or cancelled' })
    .optional()
    .meta({ description: 'Only the orders of this status' }),
  from: instantField('from').optional().meta({ description: 'Only orders made at or after this instant' }),
  to: instantField('to').optional().meta({ description: 'Only orders made before this instant' }),
  after: orderPath.shape.id
    .optional()
    .meta({ description: 'The id of the last order you have: the page starts after it' }),
  limit: pageLimit(),
})

const ordersAnswer = z.object({ orders: z.array(orderBodySchema), next: nextCursor(z.string()) })

const movementsAnswer = z.object({ movements: z.array(movementBodySchema), next: nextCursor(z.number().int()) })

const movements = {
  method: 'get',
  path: '/admin/movements',
  summary: 'A page of the ledger, oldest first: every change to any onHand or held',
  admin: true,
  query: movementsQuery,
  answers: { 200: { description: 'The page', body: movementsAnswer }, ...refusals([400, 401, 429, 503]) },
} as const satisfies Operation

const listOrders = {
  method: 'get',
  path: '/admin/orders',
  summary: 'A page of the orders, oldest first (by when they were made, then by id), by status and time',
  admin: true,
  query: ordersQuery,
  answers: { 200: { description: 'The page', body: ordersAnswer }, ...refusals([400, 401, 429, 503]) },
} as const satisfies Operation

const getOrder = {
  method: 'get',
  path: '/admin/orders/{id}',
  summary: 'One order, whoever made it',
  admin: true,
  params: orderPath,
  answers: {
    200: { description: 'The order', body: z.object({ order: orderBodySchema }) },
    ...refusals([400, 401, 404, 429, 503], { 404: 'order_not_found' }),
  },
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

export const adminSalesOperations: readonly Operation[] = [movements, listOrders, getOrder, verify, cancel]

/** The ledger, paged and verified, and the cancelling of orders: what an admin does with sales. */
export function adminSalesRoutes(admin: AdminService, metrics: Metrics): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get(routeOf(movements), async (c) => {
      const { sku, after = 0, limit = DEFAULT_PAGE } = parseInput(movementsQuery, queryFields(c))
      const page = await admin.movements({ sku, after, limit })
      return jsonAnswerOf({ movements: page.map(movementBody), next: nextAfter(page, limit, ({ seq }) => seq) })
    })
    .all(routeOf(movements), methodNotAllowed('GET'))
    .get(routeOf(listOrders), async (c) => {
      const { limit = DEFAULT_PAGE, ...query } = parseInput(ordersQuery, queryFields(c))
      const page = await admin.orders({ ...query, limit })
      return jsonAnswerOf({ orders: page.map(orderBody), next: nextAfter(page, limit, ({ id }) => id) })
    })
    .all(routeOf(listOrders), methodNotAllowed('GET'))
    .get(routeOf(getOrder), async (c) => {
      const { id } = parseInput(orderPath, c.req.param())
      const order = await admin.order(id)
      if (!order) throw new ApiError(404, 'order_not_found', `there is no order ${id}`)
      return jsonAnswerOf({ order: orderBody(order) })
    })
    .all(routeOf(getOrder), methodNotAllowed('GET'))
    .get(routeOf(verify), async () => {
      const divergence = await admin.verify()
      metrics.verified(divergence !== undefined)
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
