import { Hono } from 'hono'
import { z } from 'zod'
import type { Clock } from '../../clock.js'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import type { AppEnv } from '../app-env.js'
import { REPLAYED, type ApplyCartCommand } from '../cart-command.js'
import { methodNotAllowed } from '../errors.js'
import { parseInput, queryFields, readBodyFields, sessionField } from '../input.js'
import { headerOf } from '../node-bindings.js'
import { classicStock, lineBody, secondsUntil } from '../stock-bodies.js'

const cartQuery = z.object({ session: sessionField })

const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, {
    error: 'Idempotency-Key must be 1 to 255 printable ASCII characters, such as a UUID',
  })
  .optional()

export interface CartRouteOptions {
  readonly store: Store
  readonly clock: Clock
  readonly applyCartCommand: ApplyCartCommand
  /** The product the classic fields of `GET /cart` are about. */
  readonly defaultSku: string
}

/**
 * `POST /cart` changes a line of a session's cart, at most once per `Idempotency-Key` (a retry with the same
 * key and command is given the first answer, marked `Idempotent-Replayed: true`). `GET /cart?session=`
 * answers every line the session holds, with each product's stock and when its hold lapses, beside the
 * classic fields: the default product's stock, whether the session holds it, and for how long.
 */
export function cartRoutes({ store, clock, applyCartCommand, defaultSku }: CartRouteOptions): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/cart', async (c) => {
      const { session } = parseInput(cartQuery, queryFields(c))
      const [{ epoch, products }, { lines }] = await Promise.all([store.catalog([defaultSku]), store.cart(session)])
      const now = clock.now()
      const held = lines.find((line) => line.sku === defaultSku && !line.lapsed)
      return jsonAnswerOf({
        ...classicStock(products[0]!, epoch),
        inCart: held !== undefined,
        holdExpiresInSeconds: secondsUntil(held?.holdUntil ?? null, now),
        lines: lines.map((line) => lineBody(line, now)),
      })
    })
    .post('/cart', async (c) => {
      const key = parseInput(idempotencyKey, headerOf(c, 'Idempotency-Key'))
      const { body, replayed } = await applyCartCommand(await readBodyFields(c), c.get('client'), key)
      return jsonAnswerOf(body, 200, replayed ? REPLAYED : undefined)
    })
    .all('/cart', methodNotAllowed('GET', 'POST'))
}
