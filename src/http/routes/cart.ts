import { Hono } from 'hono'
import type { Clock } from '../../clock.js'
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { cartBody, type ApplyCartCommand } from '../cart-command.js'
import { methodNotAllowed } from '../errors.js'
import { parseInput, readBodyFields, sessionField } from '../input.js'
import { clientAddressOf } from '../node-bindings.js'

const cartQuery = z.object({ session: sessionField })

/** `POST /cart` changes a session's cart; `GET /cart?session=` tells whether it holds a unit, and for how long. */
export function cartRoutes(store: Store, clock: Clock, applyCartCommand: ApplyCartCommand): Hono {
  return new Hono()
    .get('/cart', async (c) => {
      const { session } = parseInput(cartQuery, c.req.query())
      return jsonAnswerOf(cartBody(await store.viewOf(session), clock.now()))
    })
    .post('/cart', async (c) => jsonAnswerOf(await applyCartCommand(await readBodyFields(c), clientAddressOf(c))))
    .all('/cart', methodNotAllowed('GET', 'POST'))
}
