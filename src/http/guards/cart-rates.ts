import type { Store } from '../../store/store.js'
import { ApiError } from '../api-error.js'
import { RateLimit } from './rate-limit.js'

/** How fast carts may change, per client address and per session. */
export interface CartRateLimits {
  readonly cartActionsPerSecondPerClient: number
  readonly cartActionsPerSecondPerSession: number
}

/**
 * The rates of cart actions and checkouts: each counts against its client address before it is read, and
 * against its session once the session is known. One past either rate is a 429 with `Retry-After`.
 */
export class CartRates {
  readonly #perClient: RateLimit
  readonly #perSession: RateLimit

  constructor(store: Store, limits: CartRateLimits) {
    this.#perClient = new RateLimit(store, 'cart-per-client', limits.cartActionsPerSecondPerClient)
    this.#perSession = new RateLimit(store, 'cart-per-session', limits.cartActionsPerSecondPerSession)
  }

  async admitClient(client: string): Promise<void> {
    refuseIfEmpty(await this.#perClient.take(client), 'this address')
  }

  async admitSession(session: string): Promise<void> {
    refuseIfEmpty(await this.#perSession.take(session), 'this session')
  }
}

/** A 429 for `who`, when it must wait `waitSeconds` (more than 0) before it acts again. */
function refuseIfEmpty(waitSeconds: number, who: string): void {
  if (waitSeconds === 0) return
  throw new ApiError(429, 'rate_limited', `${who} is changing carts too fast; try again in ${waitSeconds} s`, {
    'Retry-After': String(waitSeconds),
  })
}
