import type { Counters, RateCounter } from '../store/counters.js'
import { RateLimitedError } from './rate-limited-error.js'

/** How long a burst's extra actions take to come back. */
const BURST_WINDOW_SECONDS = 10

/** How fast carts may change, per client address and per session. */
export interface CartRateLimits {
  readonly cartActionsPerSecondPerClient: number
  readonly cartActionsPerSecondPerSession: number
}

/**
 * The rates of cart actions and checkouts: each counts against its client address before it is read, and
 * against its session once the session is known; each key gets its rate per second, with a burst of as many
 * again once every `BURST_WINDOW_SECONDS`. One past either is a `RateLimitedError`.
 */
export class CartRates {
  readonly #perClient: RateCounter
  readonly #perSession: RateCounter

  constructor(counters: Counters, limits: CartRateLimits) {
    const rate = (points: number) => ({ points, durationSeconds: 1, burstSeconds: BURST_WINDOW_SECONDS })
    this.#perClient = counters.rate('cart-per-client', rate(limits.cartActionsPerSecondPerClient))
    this.#perSession = counters.rate('cart-per-session', rate(limits.cartActionsPerSecondPerSession))
  }

  async admitClient(client: string): Promise<void> {
    await admit(this.#perClient, client, 'this address is changing carts too fast')
  }

  async admitSession(session: string): Promise<void> {
    await admit(this.#perSession, session, 'this session is changing carts too fast')
  }
}

async function admit(counter: RateCounter, key: string, why: string): Promise<void> {
  const taken = await counter.take(key)
  if (!taken.ok) throw new RateLimitedError(why, taken.msBeforeNext)
}
