import type { Movement } from './movement.js'
import type { Order } from './order.js'
import type { ProductStock } from './product.js'
import type { HoldEnd } from './stockroom.js'

/** A line as it is kept: its units, until when they are held, and whether its hold lapsed. */
export interface StoredLine {
  readonly quantity: number
  /** When the hold lapses (`NEVER` without expiry); for a lapsed line, when it lapsed. */
  readonly until: HoldEnd
  /**
   * The hold ran out and its units went back to stock; the line stays in the cart, unheld, so that a
   * checkout can still sell it if its units are there, until it is forgotten.
   */
  readonly lapsed: boolean
  /** The client address of the session when the line was made, when addresses are counted. */
  readonly address?: string | undefined
}

/** A line with whose it is. */
export interface LineOf extends StoredLine {
  readonly session: string
  readonly sku: string
}

/**
 * Where `Stockroom` keeps the stock: the catalog, every cart's lines, the orders and the ledger. It is
 * synchronous, and each `Stockroom` operation runs inside one call of it, so that a store that keeps it
 * (in memory, in SQLite inside one transaction) makes every operation atomic.
 */
export interface StockState {
  /** The catalog's version. */
  readonly version: number
  /** Moves the catalog's version by one and gives it. */
  bump(): number
  product(sku: string): ProductStock | undefined
  /** Every product, in catalog order. */
  products(): ProductStock[]
  /** Keeps a product: a new one goes last in catalog order. */
  putProduct(product: ProductStock): void
  line(session: string, sku: string): StoredLine | undefined
  /** A session's lines, in catalog order. */
  linesOf(session: string): LineOf[]
  /** A product's lines. */
  linesFor(sku: string): LineOf[]
  /** Keeps a line; `undefined` drops it. */
  putLine(session: string, sku: string, line: StoredLine | undefined): void
  /** When the first held line of a product that lapses will lapse; `undefined` while none will. */
  nextLapse(sku: string): number | undefined
  /** The units the held lines of one client address hold of a product. */
  heldByAddress(sku: string, address: string): number
  /** The held lines whose hold ends at or before `now`, and the lapsed lines that lapsed at or before `forgetBefore`. */
  dueLines(now: number, forgetBefore: number): LineOf[]
  /** Appends a movement to the ledger, with the next `seq`. */
  record(movement: Omit<Movement, 'seq'>): Movement
  order(id: string): Order | undefined
  putOrder(order: Order): void
}
