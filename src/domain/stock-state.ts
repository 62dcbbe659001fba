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

/** A value now, or later: a state in this process's memory answers at once, a database over the network later. */
export type Awaitable<T> = T | Promise<T>

/**
 * Where `Stockroom` keeps the stock: the catalog, every cart's lines, the orders and the ledger. Each
 * `Stockroom` operation runs inside one transaction of its store, so that the store makes every operation
 * atomic (in memory, by running one at a time; in a database, as one of its transactions).
 */
export interface StockState {
  /** The catalog's version. */
  version(): Awaitable<number>
  /** Moves the catalog's version by one and gives it. */
  bump(): Awaitable<number>
  product(sku: string): Awaitable<ProductStock | undefined>
  /** Every product, in catalog order. */
  products(): Awaitable<ProductStock[]>
  /** Keeps a product: a new one goes last in catalog order. */
  putProduct(product: ProductStock): Awaitable<void>
  line(session: string, sku: string): Awaitable<StoredLine | undefined>
  /** A session's lines, in catalog order. */
  linesOf(session: string): Awaitable<LineOf[]>
  /** A product's lines. */
  linesFor(sku: string): Awaitable<LineOf[]>
  /** Keeps a line; `undefined` drops it. */
  putLine(session: string, sku: string, line: StoredLine | undefined): Awaitable<void>
  /** When the first held line of a product that lapses will lapse; `undefined` while none will. */
  nextLapse(sku: string): Awaitable<number | undefined>
  /** The units the held lines of one client address hold of a product. */
  heldByAddress(sku: string, address: string): Awaitable<number>
  /** The held lines whose hold ends at or before `now`, and the lapsed lines that lapsed at or before `forgetBefore`. */
  dueLines(now: number, forgetBefore: number): Awaitable<LineOf[]>
  /** Appends a movement to the ledger, with the next `seq`. */
  record(movement: Omit<Movement, 'seq'>): Awaitable<Movement>
  order(id: string): Awaitable<Order | undefined>
  putOrder(order: Order): Awaitable<void>
}
