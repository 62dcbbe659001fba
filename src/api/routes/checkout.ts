import { Hono } from 'hono'
import { z } from 'zod'
import type { ShopperService } from '../../shop/shopper-service.js'
import type { StockBodies } from '../../edge/stock-bodies.js'
import type { Metrics } from '../../metrics.js'
import { jsonAnswerOf, replayHeaders } from '../../edge/answer.js'
import { ApiError } from '../../edge/api-error.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import { bodySchemas, idempotencyHeaders, orderPath, parseInput, sessionField } from '../../edge/input.js'
import { idempotencyKeyOf, queryFields, readBody } from '../input.js'
import { REPLAYED_HEADER, routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'
import { orderBody, orderBodySchema } from '../../edge/sale-bodies.js'

const checkoutFields = bodySchemas(() =>
  z.object(
    { session: sessionField.meta({ examples: ['abc'] }) },
    { error: 'the body must be an object with the field session' },
  ),
)

const orderQuery = z.object({ session: sessionField.meta({ examples: ['abc'] }) })

const checkout = {
  method: 'post',
  path: '/checkout',
  summary: "Sell every line of the session's cart, all or none",
  description:
    'Each line is sold from what it holds; a line whose hold lapsed is sold if its units are still available. ' +
    'Under an Idempotency-Key a retry gets the same order, never a second sale. With CHECKOUT=backend only ' +
    "the shop's back end checks out, with Authorization: Bearer <CHECKOUT_TOKEN>.",
  headers: idempotencyHeaders,
  body: checkoutFields,
  answers: {
    201: {
      description: 'The order',
      body: orderBodySchema,
      headers: REPLAYED_HEADER,
    },
    ...refusals([400, 401, 409, 422, 429, 503], {
      401: 'with CHECKOUT=backend: no bearer token, or not CHECKOUT_TOKEN',
      409: 'cart_empty, or insufficient_stock: `lines` names each lapsed line whose units are gone; nothing was sold',
    }),
  },
} as const satisfies Operation

const order = {
  method: 'get',
  path: '/orders/{id}',
  summary: 'An order, to the session that made it',
  params: orderPath,
  query: orderQuery,
  answers: {
    200: { description: 'The order', body: orderBodySchema },
    ...refusals([400, 503], {}),
    ...refusals([404], { 404: 'order_not_found: no such order of this session' }),
  },
} as const satisfies Operation

export const checkoutOperations: readonly Operation[] = [checkout, order]

/** `POST /checkout` turns a session's cart into an order; `GET /orders/:id?session=` shows it to that session. */
export function checkoutRoutes(shopper: ShopperService, bodies: StockBodies, metrics: Metrics): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .post(routeOf(checkout), async (c) => {
      const key = idempotencyKeyOf(c)
      await shopper.admitClient(c.get('client'))
      const { session } = await readBody(c, checkoutFields)
      const result = await shopper.checkout(session, key)
      if (!result.replayed) metrics.checkout(result.ok ? 'ok' : result.error)
      const headers = replayHeaders(result.replayed)
      if (result.ok) return jsonAnswerOf(orderBody(result.order), 201, headers)
      if (result.error === 'cart_empty') {
        throw new ApiError(409, 'cart_empty', 'the cart is empty: there is nothing to check out', headers)
      }
      // Each line says how many are left only where shoppers may be told.
      const lines = result.lines.map((line) => ({ ...line, available: bodies.left(line.available) }))
      const short = lines.map(({ sku, available }) =>
        available === undefined ? `not enough of ${sku}` : `only ${available} of ${sku}`,
      )
      const message = `${short.join(' and ')} left: the hold lapsed, and nothing was sold`
      throw new ApiError(409, 'insufficient_stock', message, headers, { lines })
    })
    .all(routeOf(checkout), methodNotAllowed('POST'))
    .get(routeOf(order), async (c) => {
      const { id } = parseInput(orderPath, c.req.param())
      const { session } = parseInput(orderQuery, queryFields(c))
      const found = await shopper.order(id, session)
      if (!found) throw new ApiError(404, 'order_not_found', `this session has no order ${id}`)
      return jsonAnswerOf(orderBody(found))
    })
    .all(routeOf(order), methodNotAllowed('GET'))
}
