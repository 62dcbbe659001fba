import { ShoppingCart, type CartAction } from '../domain/shopping-cart.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'
import type { CartResult, ChangeListener, SessionView, Store } from './store.js'

/** The embedded default: one process holds the whole stock, so every action is atomic by construction. */
export class MemoryStore implements Store {
  #cart: ShoppingCart
  readonly #listeners = new Set<ChangeListener>()

  constructor(totalInventory?: number) {
    this.#cart = ShoppingCart.create(totalInventory)
  }

  async snapshot(): Promise<StockSnapshot> {
    return this.#cart.snapshot()
  }

  async viewOf(session: string): Promise<SessionView> {
    return { snapshot: this.#cart.snapshot(), inCart: this.#cart.holds(session) }
  }

  async apply(action: CartAction, session: string): Promise<CartResult> {
    const outcome = this.#cart.apply(action, session)
    if (!outcome.ok) return { ok: false, error: outcome.error, snapshot: this.#cart.snapshot() }
    this.#cart = outcome.cart
    const snapshot = outcome.cart.snapshot()
    if (outcome.changed) for (const listener of this.#listeners) listener(snapshot)
    return { ok: true, snapshot, inCart: outcome.cart.holds(session) }
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
