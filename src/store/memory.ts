import { nanoid } from 'nanoid'
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { NEVER, ShoppingCart, type CartAction } from '../domain/shopping-cart.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'
import {
  commandOf,
  holdEndNow,
  holdsNeverExpire,
  IDEMPOTENCY_KEY_TTL_MS,
  type CartResult,
  type ChangeListener,
  type HoldPolicy,
  type SessionView,
  type Store,
  type StoreOptions,
} from './store.js'
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js'

interface FirstResult {
  readonly command: string
  readonly result: CartResult
  readonly forgetAt: number
}

/**
 * The embedded default: one process holds the whole stock, so every action is atomic by construction. Its
 * epoch is the store's life: a restarted process starts a new one.
 */
export class MemoryStore implements Store {
  #cart: ShoppingCart
  readonly #epoch = nanoid()
  readonly #holds: HoldPolicy
  readonly #listeners = new Set<ChangeListener>()
  /** Results by idempotency key, oldest first: every key is kept equally long. */
  readonly #firstResults = new Map<string, FirstResult>()

  constructor({ totalInventory, holds = holdsNeverExpire }: StoreOptions = {}) {
    this.#cart = ShoppingCart.create(totalInventory)
    this.#holds = holds
  }

  async snapshot(): Promise<StockSnapshot> {
    return this.#snapshot()
  }

  async viewOf(session: string): Promise<SessionView> {
    return this.#viewOf(session)
  }

  async apply(action: CartAction, session: string, idempotencyKey?: string): Promise<CartResult> {
    if (idempotencyKey === undefined) return this.#apply(action, session)
    const now = this.#holds.clock.now()
    for (const [key, { forgetAt }] of this.#firstResults) {
      if (forgetAt > now) break
      this.#firstResults.delete(key)
    }
    const command = commandOf(action, session)
    const first = this.#firstResults.get(idempotencyKey)
    if (first?.command === command) return { ...first.result, replayed: true }
    if (first) throw new IdempotencyKeyReusedError()
    const result = this.#apply(action, session)
    this.#firstResults.set(idempotencyKey, { command, result, forgetAt: now + IDEMPOTENCY_KEY_TTL_MS })
    return result
  }

  #apply(action: CartAction, session: string): CartResult {
    const outcome = this.#cart.apply(action, session, holdEndNow(this.#holds))
    if (!outcome.ok) return { ok: false, error: outcome.error, snapshot: this.#snapshot() }
    this.#become(outcome.cart, outcome.changed)
    return { ok: true, ...this.#viewOf(session) }
  }

  async expireHolds(): Promise<void> {
    const { cart, changed } = this.#cart.expire(this.#holds.clock.now())
    this.#become(cart, changed)
  }

  #become(cart: ShoppingCart, changed: boolean): void {
    this.#cart = cart
    if (!changed) return
    const snapshot = this.#snapshot()
    for (const listener of this.#listeners) listener(snapshot)
  }

  #viewOf(session: string): SessionView {
    const until = this.#cart.holdUntil(session)
    return {
      snapshot: this.#snapshot(),
      inCart: until !== undefined,
      holdUntil: until === undefined || until === NEVER ? null : until,
    }
  }

  #snapshot(): StockSnapshot {
    return { ...this.#cart.snapshot(), epoch: this.#epoch }
  }

  rateLimiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds })
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {
    this.#listeners.clear()
  }
}
