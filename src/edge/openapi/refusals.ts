import { errorBody } from '../refusals.js'
import type { Answer } from './operation.js'

/** What each refusal means wherever it is given; an operation says more where it has more to say. */
const MEANINGS: Readonly<Record<number, string>> = {
  400: 'invalid_request: a field is missing or malformed; the message names each',
  401: 'unauthorized: no bearer token, or not the admin token',
  404: 'not found: the product or the order is not there',
  409: 'conflict: the stock does not allow it; nothing changed',
  422: 'idempotency_key_reused: the Idempotency-Key was used for another request',
  429: 'rate_limited: too many requests; Retry-After says when to try again',
  503: 'store_unavailable: the stock cannot be reached right now; try again',
}

/** What a 503 means where a client asks to be held: the hub may be full, as well as the store out of reach. */
export const HOLDING_REFUSED = 'too_many_waiters, or store_unavailable; Retry-After says when'

/** Refusals, each `{ error, message }`, with what it means here when `meanings` says. */
export function refusals(
  statuses: readonly number[],
  meanings: Readonly<Record<number, string>> = {},
): Record<number, Answer> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: meanings[status] ?? MEANINGS[status] ?? 'refused', body: errorBody },
    ]),
  )
}
