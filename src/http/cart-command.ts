import { z } from 'zod'
import type { SessionView, Store } from '../store/store.js'
import { ApiError } from './errors.js'
import { parseInput, sessionField } from './input.js'

const cartCommand = z.object(
  {
    session: sessionField,
    action: z.enum(['add', 'remove'], {
      error: (issue) => (issue.input === undefined ? 'action is required' : "action must be 'add' or 'remove'"),
    }),
  },
  { error: 'the body must be an object with the fields session and action' },
)

/** What a session sees: the stock, and whether it holds a unit. */
export type CartBody = SessionView['snapshot'] & { readonly inCart: boolean }

export const cartBody = ({ snapshot, inCart }: SessionView): CartBody => ({ ...snapshot, inCart })

/**
 * Checks and applies one cart action, from `POST /cart` or a WebSocket frame alike: a bad one is a 400
 * `ApiError` that names each bad field and changes nothing, an add with nothing left a 409.
 */
export async function applyCartCommand(store: Store, fields: unknown): Promise<CartBody> {
  const { session, action } = parseInput(cartCommand, fields)
  const result = await store.apply(action, session)
  if (!result.ok) throw new ApiError(409, 'sold_out', 'every unit is in a cart; try again when one is removed')
  return cartBody(result)
}
