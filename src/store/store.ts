import type { CartAction } from '../domain/shopping-cart.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'

/** The stock as one session sees it. */
export interface SessionView {
  readonly snapshot: StockSnapshot
  readonly inCart: boolean
}

export type CartResult =
  | ({ readonly ok: true } & SessionView)
  | { readonly ok: false; readonly error: 'sold_out'; readonly snapshot: StockSnapshot }

export type ChangeListener = (snapshot: StockSnapshot) => void

/**
 * Where the stock lives. Every implementation applies the rules of `ShoppingCart` atomically and tells
 * its listeners about every effective change, in version order.
 */
export interface Store {
  snapshot(): Promise<StockSnapshot>
  viewOf(session: string): Promise<SessionView>
  apply(action: CartAction, session: string): Promise<CartResult>
  /** Returns a function that stops the listening. */
  onChange(listener: ChangeListener): () => void
  close(): Promise<void>
}
