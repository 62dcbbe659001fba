import type { Store } from '../../store/store.js'
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
    await this.#perClient.take(client, 'this address is changing carts too fast')
  }

  async admitSession(session: string): Promise<void> {
    await this.#perSession.take(session, 'this session is changing carts too fast')
  }
}
