import { Hono } from 'hono'
import { z } from 'zod'
import type { Clock } from '../../clock.js'
import type { ShopperService } from '../../shop/shopper-service.js'
import { jsonAnswerOf, replayHeaders } from '../../edge/answer.js'
import type { AppEnv } from '../app-env.js'
import { catalogCartBody, cartCommandFields, classicCartBody, type ApplyCartCommand } from '../../edge/cart-action.js'
import { methodNotAllowed } from '../errors.js'
import { idempotencyHeaders, parseInput, sessionField } from '../../edge/input.js'
import { idempotencyKeyOf, queryFields, readBodyFields } from '../input.js'
import { REPLAYED_HEADER, routeOf, type Operation } from '../../edge/openapi/operation.js'
import { refusals } from '../../edge/openapi/refusals.js'
import { lineBodySchema, secondsUntil, type StockBodies } from '../../edge/stock-bodies.js'

const cartQuery = z.object({ session: sessionField.meta({ examples: ['abc'] }) })

const cartBody = classicCartBody.extend({ lines: z.array(lineBodySchema) })

const getCart = {
  method: 'get',
  path: '/cart',
  summary: "A session's cart: every line with its product's stock, beside the classic fields",
  query: cartQuery,
  answers: { 200: { description: 'The cart', body: cartBody }, ...refusals([400, 503]) },
} as const satisfies Operation

const changeCart = {
  method: 'post',
  path: '/cart',
  summary: "Change one line of a session's cart: add, remove, or set a quantity",
  description:
    'Without sku and quantity it is the classic command on the default product, answered as the classic API ' +
    'always was. Any action renews the hold of the line it touches.',
  headers: idempotencyHeaders,
  body: cartCommandFields,
  answers: {
    200: {
      description: 'The line as it is now',
      body: z.union([classicCartBody, catalogCartBody]),
      headers: REPLAYED_HEADER,
    },
    ...refusals([400, 404, 409, 422, 429, 503], {
      409: 'sold_out (`available` says how many are left), limit_reached or address_limit (`limit`), archived; nothing changed',
    }),
  },
} as const satisfies Operation

export const cartOperations: readonly Operation[] = [getCart, changeCart]

export interface CartRouteOptions {
  readonly bodies: StockBodies
  readonly shopper: ShopperService
  readonly clock: Clock
  readonly applyCartCommand: ApplyCartCommand
}

/**
 * `POST /cart` changes a line of a session's cart, at most once per `Idempotency-Key` (a retry with the same
 * key and command is given the first answer, marked `Idempotent-Replayed: true`). `GET /cart?session=`
 * answers every line of the session, with each product's stock and when its hold lapses, beside the classic
 * fields: the default product's stock, whether the session holds it, and for how long.
 */
export function cartRoutes({ shopper, bodies, clock, applyCartCommand }: CartRouteOptions): Hono<AppEnv> {
  const { defaultSku } = shopper
  return new Hono<AppEnv>()
    .get(routeOf(getCart), async (c) => {
      const { session } = parseInput(cartQuery, queryFields(c))
      const [{ epoch, products }, { lines }] = await Promise.all([shopper.catalog([defaultSku]), shopper.cart(session)])
      const now = clock.now()
      const held = lines.find((line) => line.sku === defaultSku && !line.lapsed)
      const body: z.infer<typeof cartBody> = {
        ...bodies.classic(products[0]!, epoch),
        inCart: held !== undefined,
        holdExpiresInSeconds: secondsUntil(held?.holdUntil ?? null, now),
        lines: lines.map((line) => bodies.line(line, now)),
      }
      return jsonAnswerOf(body)
    })
    .post(routeOf(changeCart), async (c) => {
      const key = idempotencyKeyOf(c)
      const { body, replayed } = await applyCartCommand(await readBodyFields(c), c.get('client'), key)
      return jsonAnswerOf(body, 200, replayHeaders(replayed))
    })
    .all(routeOf(getCart), methodNotAllowed('GET', 'POST'))
}
