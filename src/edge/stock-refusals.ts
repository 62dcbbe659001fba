import type { AboveLimit, BelowHeld, Conflict } from '../domain/stockroom.js'
import { ApiError } from './api-error.js'

type Headers = Readonly<Record<string, string>>

/** The refusal of a write whose `expected` is not what `onHand` is. */
export const conflictRefusal = (sku: string, expected: number | undefined, current: number, headers: Headers) =>
  new ApiError(409, 'conflict', `${sku} has onHand ${current}, not ${expected}: read it again`, headers, { current })

/** The refusal of a product's put: not as expected, below what carts hold, or past the most it may have. */
export const putRefusal = (
  sku: string,
  expected: number | undefined,
  refused: Conflict | BelowHeld | AboveLimit,
  headers: Headers,
) =>
  refused.error === 'conflict'
    ? conflictRefusal(sku, expected, refused.current, headers)
    : boundRefusal(sku, refused, headers)

/** A change the stock's bounds refused, as a 409: `onHand` below what carts hold, or past the most it may be. */
export function boundRefusal(sku: string, refused: BelowHeld | AboveLimit, headers: Headers) {
  if (refused.error === 'below_held') {
    const message = `carts hold ${refused.held} of ${sku}: onHand may not go below that`
    return new ApiError(409, 'below_held', message, headers, { held: refused.held })
  }
  const message = `${refused.sku} has ${refused.onHand} on hand, and may have at most ${refused.limit}`
  return new ApiError(409, 'on_hand_limit', message, headers, { sku: refused.sku, limit: refused.limit })
}
