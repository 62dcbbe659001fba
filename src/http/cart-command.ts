import { z } from 'zod'
import type { Clock } from '../clock.js'
import { CART_ACTIONS } from '../domain/shopping-cart.js'
import type { SessionView, Store } from '../store/store.js'
import type { Metrics } from '../metrics.js'
import { ApiError } from './api-error.js'
import { errorCodeOf } from './errors.js'
import type { RateLimit } from './guards/rate-limit.js'
import { parseInput, sessionField } from './input.js'

const cartCommand = z.object(
  {
    session: sessionField,
    action: z.enum(CART_ACTIONS, {
      error: (issue) =>
        issue.input === undefined
          ? 'action is required'
          : `action must be ${CART_ACTIONS.map((action) => `'${action}'`).join(' or ')}`,
    }),
  },
  { error: 'the body must be an object with the fields session and action' },
)

/** What a session sees: the stock, whether it holds a unit, and in how many seconds its hold lapses. */
export type CartBody = SessionView['snapshot'] & {
  readonly inCart: boolean
  /** Null when it holds nothing, or holds never lapse. Relative, so that a client's own clock does not matter. */
  readonly holdExpiresInSeconds: number | null
}

export const cartBody = ({ snapshot, inCart, holdUntil }: SessionView, now: number): CartBody => ({
  ...snapshot,
  inCart,
  holdExpiresInSeconds: holdUntil === null ? null : Math.max(0, Math.ceil((holdUntil - now) / 1000)),
})

/** A cart action's answer, and whether it is the first answer to its idempotency key, given again. */
export interface CartAnswer {
  readonly body: CartBody
  readonly replayed: boolean
}

/**
 * Checks, limits and applies one cart action for `client` (its address), at most once for an
 * `idempotencyKey`.
 */
export type ApplyCartCommand = (fields: unknown, client: string, idempotencyKey?: string) => Promise<CartAnswer>

/** Marks an answer given again for an idempotency key, as other APIs with such keys do. */
export const REPLAYED = { 'Idempotent-Replayed': 'true' }

export interface CartCommandOptions {
  readonly store: Store
  readonly clock: Clock
  /** Cart actions per client address. */
  readonly perClient: RateLimit
  /** Cart actions per session. */
  readonly perSession: RateLimit
  readonly metrics: Metrics
}

/**
 * One cart action, from `POST /cart` or a WebSocket frame alike: a client or session past its rate is a 429
 * `ApiError` with `Retry-After`, a bad command a 400 that names each bad field, an add with nothing left a
 * 409, an idempotency key used before for another action a 422, and none of these changes anything.
 */
export function cartCommands({ store, clock, perClient, perSession, metrics }: CartCommandOptions): ApplyCartCommand {
  const apply: ApplyCartCommand = async (fields, client, idempotencyKey) => {
    refuseIfEmpty(await perClient.take(client), 'this address')
    const { session, action } = parseInput(cartCommand, fields)
    refuseIfEmpty(await perSession.take(session), 'this session')
    const result = await store.apply(action, session, idempotencyKey)
    const replayed = result.replayed === true
    if (!result.ok) {
      const message = 'every unit is in a cart; try again when one is removed'
      throw new ApiError(409, 'sold_out', message, replayed ? REPLAYED : undefined)
    }
    return { body: cartBody(result, clock.now()), replayed }
  }
  return async (fields, client, idempotencyKey) => {
    try {
      const answer = await apply(fields, client, idempotencyKey)
      metrics.cartAction('ok')
      return answer
    } catch (error) {
      metrics.cartAction(errorCodeOf(error))
      throw error
    }
  }
}

function refuseIfEmpty(waitSeconds: number, who: string): void {
  if (waitSeconds === 0) return
  throw new ApiError(429, 'rate_limited', `${who} is changing carts too fast; try again in ${waitSeconds} s`, {
    'Retry-After': String(waitSeconds),
  })
}
