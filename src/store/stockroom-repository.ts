import { nanoid } from 'nanoid'
import type { CatalogSnapshot } from '../domain/catalog.js'
import type { Divergence, Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { ProductStock } from '../domain/product.js'
import type { LineOf, StockState } from '../domain/stock-state.js'
import { Stockroom, type AdjustmentInput, type Line, type ProductInput, type SaleInput } from '../domain/stockroom.js'
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js'
import { verifyLedger } from './verify-ledger.js'
import {
  ADMIN_KEYS,
  commandOf,
  holdEndNow,
  IDEMPOTENCY_KEY_TTL_MS,
  operationOf,
  storeDefaults,
  type AdjustResult,
  type ArchiveResult,
  type Answered,
  type CancelResult,
  type CartCommand,
  type CartLine,
  type CartResult,
  type CartView,
  type CheckoutResult,
  type HoldPolicy,
  type MovementQuery,
  type OrderQuery,
  type PutResult,
  type ReleaseResult,
  type SaleResult,
  SHOPPER_KEYS,
  type StockRepository,
  type StoreOptions,
} from './store.js'
import type { LocalFeed } from './change-feed.js'

/** What an operation answers, and the products it changed, which listeners hear of once it is in. */
interface Outcome<T> {
  readonly answer: T
  readonly changed: readonly ProductStock[]
}

/** A `StockState` that can also read its ledger and its orders back. */
export interface LedgerState extends StockState {
  /** A page of the orders (see `OrderQuery`). */
  orders(query: OrderQuery): Order[]
  /** The ledger after the movement `after`, oldest first, at most `limit`, of one product or all. */
  movements(after: number, limit: number, sku?: string): Movement[]
  /** The seq of the ledger's last movement; 0 for none. */
  lastSeq(): number
}

/** The first result of an idempotency key, and what it is compared by. */
export interface FirstResult {
  readonly command: string
  readonly result: object
}

/** A line of the domain as a cart answers it, with its product. */
export const cartLineOf = ({ sku, quantity, until, lapsed }: Line, product: ProductStock): CartLine => ({
  sku,
  quantity,
  holdUntil: lapsed || quantity === 0 ? null : until,
  lapsed,
  product,
})

/**
 * The repository of a store of one process, which keeps the stock in a synchronous `LedgerState` and applies
 * the rules of `Stockroom` to it, each operation inside one `transact`: the memory store and the SQLite store.
 * What they differ in (where the state and the idempotency keys are kept, how a transaction is run, the
 * epoch) is theirs to say. It tells its feed of each change once the change is in.
 */
export abstract class StockroomRepository implements StockRepository {
  readonly #stockroom: Stockroom
  readonly #holds: HoldPolicy

  protected constructor(
    protected readonly state: LedgerState,
    options: StoreOptions,
    readonly feed: LocalFeed,
  ) {
    const { rules, holds } = storeDefaults(options)
    this.#stockroom = new Stockroom(state, rules)
    this.#holds = holds
  }

  /** The epoch of the stock this store keeps. */
  protected abstract readonly epoch: string

  /** Runs `run` atomically: nothing else reads or writes the state in between, and all of it or none lands. */
  protected abstract transact<T>(run: () => T): T

  /** The first result kept for an idempotency key, if it is not forgotten by `now`. */
  protected abstract firstResult(key: string, now: number): FirstResult | undefined

  /**
   * Keeps the first result of an idempotency key until `forgetAt`, inside the same transaction as its
   * operation.
   */
  protected abstract keepResult(key: string, first: FirstResult, forgetAt: number): void

  async check(): Promise<void> {}

  /** The seq of the ledger's last movement; 0 for none. */
  ledgerEnd(): number {
    return this.transact(() => this.state.lastSeq())
  }

  /** Seeds a new catalog: for a store whose state is new. */
  protected seed(options: StoreOptions): void {
    this.transact(() => this.#stockroom.seed(storeDefaults(options).catalog, this.#now()))
  }

  async catalog(skus?: readonly string[]): Promise<CatalogSnapshot> {
    return this.transact(() =>
      this.#catalogOf(skus ? skus.map((sku) => this.#stockroom.product(sku)) : this.state.products()),
    )
  }

  async cart(session: string): Promise<CartView> {
    return this.transact(() => ({
      ...this.#stamp(),
      lines: this.#stockroom.linesOf(session).map((line) => cartLineOf(line, this.#stockroom.product(line.sku))),
    }))
  }

  async apply(command: CartCommand, idempotencyKey?: string): Promise<CartResult> {
    return this.#once(SHOPPER_KEYS, idempotencyKey, commandOf(command), (): Outcome<CartResult> => {
      const outcome = this.#stockroom.apply(command, holdEndNow(this.#holds), this.#now(), idempotencyKey)
      if (!outcome.ok) {
        const { ok, product, ...refusal } = outcome
        return { answer: { ...this.#stamp(), ok, product, refusal }, changed: [] }
      }
      const answer = { ...this.#stamp(), ok: true, line: cartLineOf(outcome.line, outcome.product) } as const
      return { answer, changed: outcome.changed }
    })
  }

  async expireHolds(): Promise<void> {
    this.#tell(this.transact(() => this.#stockroom.expire(this.#now())))
  }

  async checkout(session: string, idempotencyKey?: string): Promise<CheckoutResult> {
    return this.#once(SHOPPER_KEYS, idempotencyKey, operationOf('checkout', session), () =>
      this.#answer(this.#stockroom.checkout(session, nanoid(), this.#now(), idempotencyKey)),
    )
  }

  async order(id: string): Promise<Order | undefined> {
    return this.transact(() => this.state.order(id))
  }

  async orders(query: OrderQuery): Promise<Order[]> {
    return this.transact(() => this.state.orders(query))
  }

  async putProduct(input: ProductInput, idempotencyKey?: string): Promise<PutResult> {
    return this.#once(ADMIN_KEYS, idempotencyKey, operationOf('put', input), () =>
      this.#answer(this.#stockroom.putProduct(input, this.#now(), idempotencyKey)),
    )
  }

  async adjust(input: AdjustmentInput, idempotencyKey?: string): Promise<AdjustResult> {
    return this.#once(ADMIN_KEYS, idempotencyKey, operationOf('adjust', input), () =>
      this.#answer(this.#stockroom.adjust(input, this.#now(), idempotencyKey)),
    )
  }

  async archive(sku: string, archived: boolean, idempotencyKey?: string): Promise<ArchiveResult> {
    return this.#once(ADMIN_KEYS, idempotencyKey, operationOf('archive', sku, String(archived)), () =>
      this.#answer(this.#stockroom.archive(sku, archived, this.#now(), idempotencyKey)),
    )
  }

  async sell(input: SaleInput, idempotencyKey?: string): Promise<SaleResult> {
    return this.#once(ADMIN_KEYS, idempotencyKey, operationOf('sell', input), () =>
      this.#answer(this.#stockroom.sell(input, this.#now(), idempotencyKey)),
    )
  }

  async holds(sku: string): Promise<LineOf[]> {
    return this.transact(() => this.#stockroom.holdsOf(sku))
  }

  async releaseHold(sku: string, session: string, idempotencyKey?: string): Promise<ReleaseResult> {
    return this.#once(ADMIN_KEYS, idempotencyKey, operationOf('release', sku, session), () =>
      this.#answer(this.#stockroom.releaseHold(sku, session, this.#now(), idempotencyKey)),
    )
  }

  async cancelOrder(id: string, idempotencyKey?: string): Promise<CancelResult> {
    return this.#once(ADMIN_KEYS, idempotencyKey, operationOf('cancel', id), () =>
      this.#answer(this.#stockroom.cancelOrder(id, this.#now(), idempotencyKey)),
    )
  }

  async movements({ sku, after, limit }: MovementQuery): Promise<Movement[]> {
    return this.transact(() => this.state.movements(after, limit, sku))
  }

  async verify(): Promise<Divergence | undefined> {
    const snapshot = this.transact(() => ({ seq: this.state.lastSeq(), products: this.state.products() }))
    return verifyLedger(snapshot, async (after, limit) => this.transact(() => this.state.movements(after, limit)))
  }

  /** A domain outcome as an answer, and the products it changed apart. */
  #answer<T extends object>(outcome: T): Outcome<Answered<T>> {
    const { changed = [], ...answer } = outcome as T & { readonly changed?: readonly ProductStock[] }
    return { answer: answer as Answered<T>, changed }
  }

  /**
   * Runs `run` in one transaction, at most once per idempotency key among `scope`'s for
   * `IDEMPOTENCY_KEY_TTL_MS`: the same command under the key is given the first answer again, marked replayed;
   * another throws `IdempotencyKeyReusedError`. The key is kept in the same transaction as the operation;
   * listeners hear of what it changed once it is in.
   */
  async #once<T extends object>(
    scope: string,
    key: string | undefined,
    command: string,
    run: () => Outcome<T>,
  ): Promise<T> {
    const { answer, changed } = this.transact((): Outcome<T> => {
      if (key === undefined) return run()
      const now = this.#now()
      const kept = `${scope}:${key}`
      const first = this.firstResult(kept, now)
      if (first?.command === command) return { answer: { ...(first.result as T), replayed: true }, changed: [] }
      if (first) throw new IdempotencyKeyReusedError()
      const outcome = run()
      this.keepResult(kept, { command, result: outcome.answer }, now + IDEMPOTENCY_KEY_TTL_MS)
      return outcome
    })
    this.#tell(changed)
    return answer
  }

  #now(): number {
    return this.#holds.clock.now()
  }

  #tell(products: readonly ProductStock[]): void {
    if (products.length === 0) return
    this.feed.tell(this.#catalogOf(products))
  }

  /** The epoch and the version now. */
  #stamp(): { readonly epoch: string; readonly version: number } {
    return { epoch: this.epoch, version: this.state.version }
  }

  #catalogOf(products: readonly ProductStock[]): CatalogSnapshot {
    return { ...this.#stamp(), products }
  }
}
