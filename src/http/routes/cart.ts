import { Hono } from 'hono'
import type { Clock } from '../../clock.js'
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { cartBody, REPLAYED, type ApplyCartCommand } from '../cart-command.js'
import { methodNotAllowed } from '../errors.js'
import { parseInput, queryFields, readBodyFields, sessionField } from '../input.js'
import type { AppEnv } from '../app-env.js'
import { headerOf } from '../node-bindings.js'

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
}

/**
 * `POST /cart` changes a session's cart, at most once per `Idempotency-Key` (a retry with the same key and
 * action is given the first answer, marked `Idempotent-Replayed: true`); `GET /cart?session=` tells whether
 * it holds a unit, and for how long.
 */
export function cartRoutes({ store, clock, applyCartCommand }: CartRouteOptions): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/cart', async (c) => {
      const { session } = parseInput(cartQuery, queryFields(c))
      return jsonAnswerOf(cartBody(await store.viewOf(session), clock.now()))
    })
    .post('/cart', async (c) => {
      const key = parseInput(idempotencyKey, headerOf(c, 'Idempotency-Key'))
      const { body, replayed } = await applyCartCommand(await readBodyFields(c), c.get('client'), key)
      return jsonAnswerOf(body, 200, replayed ? REPLAYED : undefined)
    })
    .all('/cart', methodNotAllowed('GET', 'POST'))
}
