import type { StockCount } from './stock-snapshot.js'

export const DEFAULT_TOTAL_INVENTORY = 10

/** What a session can do to its cart: each sets a state, so doing it twice is doing it once. */
export const CART_ACTIONS = ['add', 'remove'] as const
export type CartAction = (typeof CART_ACTIONS)[number]

/** When a hold never expires: expiry is turned off. */
export const NEVER = Number.POSITIVE_INFINITY

export type CartOutcome =
  | { readonly ok: true; readonly cart: ShoppingCart; readonly changed: boolean }
  | { readonly ok: false; readonly error: 'sold_out' }

/**
 * The stock of one product, which sessions hold a unit of it, and until when.
 *
 * Immutable: every action returns a new cart, so a store can apply an action and publish the result
 * without anyone seeing a half-applied state. Copying the holders is cheap because there are never
 * more holders than units. Time is given, never read: a hold lasts until the instant its `add` names, and
 * `expire(now)` returns every hold that is over.
 */
export class ShoppingCart {
  private constructor(
    readonly totalInventory: number,
    /** Each holding session, and the instant (ms) its hold ends: `NEVER` without expiry. */
    private readonly holders: ReadonlyMap<string, number>,
    /** Grows by exactly one on every effective change, so clients can use it as a cursor. */
    readonly version: number,
  ) {}

  static create(totalInventory: number = DEFAULT_TOTAL_INVENTORY): ShoppingCart {
    if (!Number.isSafeInteger(totalInventory) || totalInventory < 0) {
      throw new RangeError(`totalInventory must be a non-negative integer, got ${totalInventory}`)
    }
    return new ShoppingCart(totalInventory, new Map(), 0)
  }

  get inventoryCount(): number {
    return this.totalInventory - this.holders.size
  }

  holds(session: string): boolean {
    return this.holders.has(session)
  }

  /** When the session's hold ends (`NEVER` without expiry), or undefined when it holds nothing. */
  holdUntil(session: string): number | undefined {
    return this.holders.get(session)
  }

  /**
   * Puts one unit in the session's cart, held until `holdUntil`. A session already holding one keeps it,
   * renewed until `holdUntil`: that is no change to the stock, so the version stays.
   */
  add(session: string, holdUntil: number = NEVER): CartOutcome {
    if (this.holders.has(session)) {
      const renewed = new ShoppingCart(this.totalInventory, new Map(this.holders).set(session, holdUntil), this.version)
      return { ok: true, cart: renewed, changed: false }
    }
    if (this.inventoryCount === 0) return { ok: false, error: 'sold_out' }
    return this.changedTo(new Map(this.holders).set(session, holdUntil))
  }

  /** Returns the session's unit to stock; a session holding none changes nothing. */
  remove(session: string): CartOutcome {
    if (!this.holders.has(session)) return { ok: true, cart: this, changed: false }
    const holders = new Map(this.holders)
    holders.delete(session)
    return this.changedTo(holders)
  }

  apply(action: CartAction, session: string, holdUntil: number = NEVER): CartOutcome {
    return action === 'add' ? this.add(session, holdUntil) : this.remove(session)
  }

  /** Returns to stock every hold that ends at or before `now`, as one change; none over is no change. */
  expire(now: number): { readonly cart: ShoppingCart; readonly changed: boolean } {
    const holders = new Map([...this.holders].filter(([, until]) => until > now))
    if (holders.size === this.holders.size) return { cart: this, changed: false }
    return { cart: new ShoppingCart(this.totalInventory, holders, this.version + 1), changed: true }
  }

  snapshot(): StockCount {
    return { inventoryCount: this.inventoryCount, totalInventory: this.totalInventory, version: this.version }
  }

  private changedTo(holders: ReadonlyMap<string, number>): CartOutcome {
    return { ok: true, cart: new ShoppingCart(this.totalInventory, holders, this.version + 1), changed: true }
  }
}
