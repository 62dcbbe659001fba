import { Hono } from 'hono'
import { z } from 'zod'
import type { SessionView, Store } from '../../store/store.js'
import { jsonAnswerOf } from '../answer.js'
import { ApiError, methodNotAllowed } from '../errors.js'
import { parseInput, readBodyFields, sessionField } from '../input.js'

const cartCommand = z.object(
  {
    session: sessionField,
    action: z.enum(['add', 'remove'], {
      error: (issue) => (issue.input === undefined ? 'action is required' : "action must be 'add' or 'remove'"),
    }),
  },
  { error: 'the body must be an object with the fields session and action' },
)

const cartQuery = z.object({ session: sessionField })

const cartBody = ({ snapshot, inCart }: SessionView) => ({ ...snapshot, inCart })

/** `POST /cart` changes a session's cart; `GET /cart?session=` tells whether it holds a unit. */
export function cartRoutes(store: Store): Hono {
  return new Hono()
    .get('/cart', async (c) => {
      const { session } = parseInput(cartQuery, c.req.query())
      return jsonAnswerOf(cartBody(await store.viewOf(session)))
    })
    .post('/cart', async (c) => {
      const { session, action } = parseInput(cartCommand, await readBodyFields(c))
      const result = await store.apply(action, session)
      if (!result.ok) throw new ApiError(409, 'sold_out', 'every unit is in a cart; try again when one is removed')
      return jsonAnswerOf(cartBody(result))
    })
    .all('/cart', methodNotAllowed('GET', 'POST'))
}
