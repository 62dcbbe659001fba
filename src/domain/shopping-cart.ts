import type { StockSnapshot } from './stock-snapshot.js'

export const DEFAULT_TOTAL_INVENTORY = 10

export type CartAction = 'add' | 'remove'

export type CartOutcome =
  | { readonly ok: true; readonly cart: ShoppingCart; readonly changed: boolean }
  | { readonly ok: false; readonly error: 'sold_out' }

/**
 * The stock of one product and which sessions hold a unit of it.
 *
 * Immutable: every action returns a new cart, so a store can apply an action and publish the result
 * without anyone seeing a half-applied state. Copying the holders is cheap because there are never
 * more holders than units.
 */
export class ShoppingCart {
  private constructor(
    readonly totalInventory: number,
    private readonly holders: ReadonlySet<string>,
    /** Grows by exactly one on every effective change, so clients can use it as a cursor. */
    readonly version: number,
  ) {}

  static create(totalInventory: number = DEFAULT_TOTAL_INVENTORY): ShoppingCart {
    if (!Number.isSafeInteger(totalInventory) || totalInventory < 0) {
      throw new RangeError(`totalInventory must be a non-negative integer, got ${totalInventory}`)
    }
    return new ShoppingCart(totalInventory, new Set(), 0)
  }

  get inventoryCount(): number {
    return this.totalInventory - this.holders.size
  }

  holds(session: string): boolean {
    return this.holders.has(session)
  }

  /** Puts one unit in the session's cart; a session already holding one changes nothing. */
  add(session: string): CartOutcome {
    if (this.holders.has(session)) return { ok: true, cart: this, changed: false }
    if (this.inventoryCount === 0) return { ok: false, error: 'sold_out' }
    return this.changedTo(new Set(this.holders).add(session))
  }

  /** Returns the session's unit to stock; a session holding none changes nothing. */
  remove(session: string): CartOutcome {
    if (!this.holders.has(session)) return { ok: true, cart: this, changed: false }
    const holders = new Set(this.holders)
    holders.delete(session)
    return this.changedTo(holders)
  }

  apply(action: CartAction, session: string): CartOutcome {
    return action === 'add' ? this.add(session) : this.remove(session)
  }

  snapshot(): StockSnapshot {
    return { inventoryCount: this.inventoryCount, totalInventory: this.totalInventory, version: this.version }
  }

  private changedTo(holders: ReadonlySet<string>): CartOutcome {
    return { ok: true, cart: new ShoppingCart(this.totalInventory, holders, this.version + 1), changed: true }
  }
}
