import type { ProductStock } from './product.js'
import { availableOf } from './product.js'

/** What a session can do to its line of a product: each sets a state, so doing it twice is doing it once. */
export const CART_ACTIONS = ['add', 'remove', 'set'] as const
export type CartAction = (typeof CART_ACTIONS)[number]

/** A request for one line: hold at least one, hold none, or hold exactly `quantity`. */
export type CartRequest = { readonly action: 'add' | 'remove' } | { readonly action: 'set'; readonly quantity: number }

/** What limits a session's line and an address's units of one product. */
export interface CartRules {
  /** Units of one product a session may hold. */
  readonly maxPerSession: number
  /** Units of one product all the sessions of one client address may hold together; none when undefined. */
  readonly maxPerAddress?: number | undefined
}

/** The classic rule: a session holds one unit at most, and addresses are not counted. */
export const CLASSIC_RULES: CartRules = { maxPerSession: 1 }

/** Why a request was refused; nothing changed. */
export type Refusal =
  | { readonly error: 'sold_out'; readonly available: number }
  | { readonly error: 'limit_reached'; readonly limit: number }
  | { readonly error: 'address_limit'; readonly limit: number }
  | { readonly error: 'archived' }

/** The quantity a request asks a line to have, given what it holds now. */
export function wantedQuantity(request: CartRequest, held: number): number {
  if (request.action === 'set') return request.quantity
  return request.action === 'add' ? Math.max(1, held) : 0
}

export interface LineState {
  readonly product: ProductStock
  /** The units this session holds of the product now. */
  readonly held: number
  /** The units every session of this client address holds of the product now. */
  readonly heldByAddress: number
}

/**
 * The quantity a line takes under `request`, or why it cannot. Holding less is always allowed; holding more
 * must be of a product still sold, and stay within the session's cap, what is available, and the address's
 * cap, in that order.
 */
export function decideLine(
  { product, held, heldByAddress }: LineState,
  request: CartRequest,
  rules: CartRules,
): { readonly quantity: number } | Refusal {
  const quantity = wantedQuantity(request, held)
  const more = quantity - held
  if (more <= 0) return { quantity }
  if (product.archived) return { error: 'archived' }
  if (quantity > rules.maxPerSession) return { error: 'limit_reached', limit: rules.maxPerSession }
  const available = availableOf(product)
  if (more > available) return { error: 'sold_out', available }
  if (rules.maxPerAddress !== undefined && heldByAddress + more > rules.maxPerAddress) {
    return { error: 'address_limit', limit: rules.maxPerAddress }
  }
  return { quantity }
}
