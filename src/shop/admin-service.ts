import type { Divergence, Movement } from '../domain/movement.js'
import type { CatalogSnapshot } from '../domain/catalog.js'
import type { Order } from '../domain/order.js'
import type { LineOf } from '../domain/stock-state.js'
import type { AdjustmentInput, ProductInput, SaleInput } from '../domain/stockroom.js'
import type {
  AdjustResult,
  ArchiveResult,
  CancelResult,
  MovementQuery,
  OrderQuery,
  PutResult,
  ReleaseResult,
  SaleResult,
  StockRepository,
} from '../store/store.js'

/** What the orders still placed hold of one product: how many of them name it, and the units they sold of it. */
export interface OpenOrders {
  readonly orders: number
  readonly units: number
}

/** How many orders one read of them takes. */
const ORDERS_PER_READ = 1000

/** What the shop's admin does: products and their stock, holds, orders, the ledger and its check. */
export class AdminService {
  constructor(readonly repository: StockRepository) {}

  /** Every product, with every count. */
  catalog(): Promise<CatalogSnapshot> {
    return this.repository.catalog()
  }

  /**
   * What the orders still placed hold of each product that any of them names: read from every placed order,
   * a page at a time, on every call.
   */
  async openOrders(): Promise<ReadonlyMap<string, OpenOrders>> {
    const open = new Map<string, OpenOrders>()
    let after: string | undefined
    for (;;) {
      const page = await this.repository.orders({ status: 'placed', after, limit: ORDERS_PER_READ })
      for (const { sku, quantity } of page.flatMap(({ lines }) => lines)) {
        const { orders, units } = open.get(sku) ?? { orders: 0, units: 0 }
        open.set(sku, { orders: orders + 1, units: units + quantity })
      }
      if (page.length < ORDERS_PER_READ) return open
      after = page.at(-1)!.id
    }
  }

  putProduct(input: ProductInput, idempotencyKey?: string): Promise<PutResult> {
    return this.repository.putProduct(input, idempotencyKey)
  }

  adjust(input: AdjustmentInput, idempotencyKey?: string): Promise<AdjustResult> {
    return this.repository.adjust(input, idempotencyKey)
  }

  sell(input: SaleInput, idempotencyKey?: string): Promise<SaleResult> {
    return this.repository.sell(input, idempotencyKey)
  }

  archive(sku: string, archived: boolean, idempotencyKey?: string): Promise<ArchiveResult> {
    return this.repository.archive(sku, archived, idempotencyKey)
  }

  /** Every line of a product, held or lapsed, by session. */
  async holds(sku: string): Promise<LineOf[]> {
    return (await this.repository.holds(sku)).sort((a, b) => a.session.localeCompare(b.session))
  }

  releaseHold(sku: string, session: string, idempotencyKey?: string): Promise<ReleaseResult> {
    return this.repository.releaseHold(sku, session, idempotencyKey)
  }

  order(id: string): Promise<Order | undefined> {
    return this.repository.order(id)
  }

  orders(query: OrderQuery): Promise<Order[]> {
    return this.repository.orders(query)
  }

  cancelOrder(id: string, idempotencyKey?: string): Promise<CancelResult> {
    return this.repository.cancelOrder(id, idempotencyKey)
  }

  movements(query: MovementQuery): Promise<Movement[]> {
    return this.repository.movements(query)
  }

  verify(): Promise<Divergence | undefined> {
    return this.repository.verify()
  }
}
