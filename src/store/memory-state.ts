import type { Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { ProductStock } from '../domain/product.js'
import type { LineOf, StockState, StoredLine } from '../domain/stock-state.js'
import { NEVER } from '../domain/stockroom.js'
import { matchesOrder, orderOrder, type OrderQuery } from './store.js'

/** The stock in this process's memory: the `StockState` of the memory store. */
export class MemoryState implements StockState {
  #version = 0
  /** In catalog order. */
  readonly #products = new Map<string, ProductStock>()
  /** By SKU, then by session. */
  readonly #lines = new Map<string, Map<string, StoredLine>>()
  /** The SKUs each session has a line of. */
  readonly #carts = new Map<string, Set<string>>()
  /** The units the held lines of each address hold, by SKU, then by address. */
  readonly #byAddress = new Map<string, Map<string, number>>()
  readonly #movements: Movement[] = []
  readonly #orders = new Map<string, Order>()

  version(): number {
    return this.#version
  }

  bump(): number {
    return ++this.#version
  }

  product(sku: string): ProductStock | undefined {
    return this.#products.get(sku)
  }

  products(): ProductStock[] {
    return [...this.#products.values()]
  }

  putProduct(product: ProductStock): void {
    this.#products.set(product.sku, product)
  }

  line(session: string, sku: string): StoredLine | undefined {
    return this.#lines.get(sku)?.get(session)
  }

  linesOf(session: string): LineOf[] {
    const skus = this.#carts.get(session)
    if (!skus) return []
    return [...this.#products.keys()].flatMap((sku) => {
      const line = skus.has(sku) ? this.line(session, sku) : undefined
      return line ? [{ ...line, session, sku }] : []
    })
  }

  linesFor(sku: string): LineOf[] {
    return [...(this.#lines.get(sku) ?? [])].map(([session, line]) => ({ ...line, session, sku }))
  }

  putLine(session: string, sku: string, line: StoredLine | undefined): void {
    const lines = this.#lines.get(sku) ?? new Map<string, StoredLine>()
    this.#count(sku, lines.get(session), -1)
    this.#count(sku, line, 1)
    const skus = this.#carts.get(session) ?? new Set<string>()
    if (line) {
      this.#lines.set(sku, lines.set(session, line))
      this.#carts.set(session, skus.add(sku))
      return
    }
    lines.delete(session)
    skus.delete(sku)
    if (skus.size === 0) this.#carts.delete(session)
  }

  /** A scan of the product's lines, as many as its carts have: a sorted index would cost every put more. */
  nextLapse(sku: string): number | undefined {
    let first: number | undefined
    for (const { until, lapsed } of this.#lines.get(sku)?.values() ?? []) {
      if (!lapsed && until !== NEVER && (first === undefined || until < first)) first = until
    }
    return first
  }

  heldByAddress(sku: string, address: string): number {
    return this.#byAddress.get(sku)?.get(address) ?? 0
  }

  dueLines(now: number, forgetBefore: number): LineOf[] {
    const due: LineOf[] = []
    for (const [sku, lines] of this.#lines) {
      for (const [session, line] of lines) {
        if (line.until !== NEVER && line.until <= (line.lapsed ? forgetBefore : now))
          due.push({ ...line, session, sku })
      }
    }
    return due
  }

  record(movement: Omit<Movement, 'seq'>): Movement {
    const recorded = { seq: this.#movements.length + 1, ...movement }
    this.#movements.push(recorded)
    return recorded
  }

  /** The ledger from after `after`, at most `limit` movements, of one product or all. */
  movements(after: number, limit: number, sku?: string): Movement[] {
    const from = this.#movements.slice(after)
    return (sku === undefined ? from : from.filter((movement) => movement.sku === sku)).slice(0, limit)
  }

  lastSeq(): number {
    return this.#movements.length
  }

  order(id: string): Order | undefined {
    return this.#orders.get(id)
  }

  putOrder(order: Order): void {
    this.#orders.set(order.id, order)
  }

  /** A sort of every order on each page: the memory store is for one process, and tests. */
  orders(query: OrderQuery): Order[] {
    const sorted = [...this.#orders.values()].sort(orderOrder)
    const after = query.after === undefined ? undefined : this.#orders.get(query.after)
    if (query.after !== undefined && !after) return []
    return sorted
      .filter((order) => (!after || orderOrder(order, after) > 0) && matchesOrder(query, order))
      .slice(0, query.limit)
  }

  /** Counts a line's held units in or out of its address's, by `sign`. */
  #count(sku: string, line: StoredLine | undefined, sign: 1 | -1): void {
    if (!line || line.lapsed || line.address === undefined) return
    const byAddress = this.#byAddress.get(sku) ?? new Map<string, number>()
    const units = (byAddress.get(line.address) ?? 0) + sign * line.quantity
    if (units === 0) byAddress.delete(line.address)
    else byAddress.set(line.address, units)
    this.#byAddress.set(sku, byAddress)
  }
}
