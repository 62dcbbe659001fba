import type { AboveLimit, BelowHeld } from '../domain/stockroom.js'
import { ApiError } from './api-error.js'

/** A change the stock's bounds refused, as a 409: `onHand` below what carts hold, or past the most it may be. */
export function boundRefusal(sku: string, refused: BelowHeld | AboveLimit, headers: Readonly<Record<string, string>>) {
  if (refused.error === 'below_held') {
    const message = `carts hold ${refused.held} of ${sku}: onHand may not go below that`
    return new ApiError(409, 'below_held', message, headers, { held: refused.held })
  }
  const message = `${refused.sku} has ${refused.onHand} on hand, and may have at most ${refused.limit}`
  return new ApiError(409, 'on_hand_limit', message, headers, { sku: refused.sku, limit: refused.limit })
}
