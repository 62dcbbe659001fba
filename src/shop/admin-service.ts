import type { Divergence, Movement } from '../domain/movement.js'
import type { CatalogSnapshot } from '../domain/catalog.js'
import type { Order } from '../domain/order.js'
import type { LineOf } from '../domain/stock-state.js'
import type { AdjustmentInput, ProductInput, SaleInput } from '../domain/stockroom.js'
import type {
  AdjustResult,
  CancelResult,
  MovementQuery,
  OrderQuery,
  PutResult,
  ReleaseResult,
  SaleResult,
  StockRepository,
} from '../store/store.js'

/** What the shop's admin does: products and their stock, holds, orders, the ledger and its check. */
export class AdminService {
  constructor(readonly repository: StockRepository) {}

  /** Every product, with every count. */
  catalog(): Promise<CatalogSnapshot> {
    return this.repository.catalog()
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
