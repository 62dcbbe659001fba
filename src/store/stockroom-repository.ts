import { nanoid } from 'nanoid'
import type { CatalogSnapshot } from '../domain/catalog.js'
import type { Divergence, Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { ProductStock } from '../domain/product.js'
import type { Awaitable, LineOf, StockState } from '../domain/stock-state.js'
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
import type { TellingFeed } from './change-feed.js'

/** What an operation answers, and the products it changed, which listeners hear of once it is in. */
interface Outcome<T> {
  readonly answer: T
  readonly changed: readonly ProductStock[]
}

/** A `StockState` that can also read its ledger and its orders back. */
export interface LedgerState extends StockState {
  /** A page of the orders (see `OrderQuery`). */
  orders(query: OrderQuery): Awaitable<Order[]>
  /** The ledger after the movement `after`, oldest first, at most `limit`, of one product or all. */
  movements(after: number, limit: number, sku?: string): Awaitable<Movement[]>
  /** The seq of the ledger's last movement; 0 for none. */
  lastSeq(): Awaitable<number>
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
 * The repository of a store that keeps the stock in a `LedgerState` and applies the rules of `Stockroom` to
 * it, each operation inside one `transact`: the memory, SQLite and PostgreSQL stores. What they differ in (where
 * the state and the idempotency keys are kept, how a transaction is run, the epoch) is theirs to say. It
 * tells its feed of each change once the change is in.
 */
export abstract class StockroomRepository implements StockRepository {
  readonly #stockroom: Stockroom
  readonly #holds: HoldPolicy

  protected constructor(
    protected readonly state: LedgerState,
    options: StoreOptions,
    readonly feed: TellingFeed,
  ) {
    const { rules, holds } = storeDefaults(options)
    this.#stockroom = new Stockroom(state, rules)
    this.#holds = holds
  }

  /** The epoch of the stock this store keeps. */
  protected abstract readonly epoch: string

  /**
   * Runs `run` as one transaction of the store's: all of it or none lands. The repository runs one at a time
   * (`transact`), so no other reads or writes the state in between.
   */
  protected abstract atomically<T>(run: () => Promise<T>): Promise<T>

  /** The first result kept for an idempotency key, if it is not forgotten by `now`. */
  protected abstract firstResult(key: string, now: number): Awaitable<FirstResult | undefined>

  /**
   * Keeps the first result of an idempotency key until `forgetAt`, inside the same transaction as its
   * operation.
   */
  protected abstract keepResult(key: string, first: FirstResult, forgetAt: number): Awaitable<void>

  /** The transaction under way, or the last: the next starts once it has ended. */
  #last: Promise<unknown> = Promise.resolve()

  /**
   * Runs `run` atomically, once every transaction before it has ended: nothing else reads or writes the state
   * in between, and all of it or none lands.
   */
  protected transact<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#last.then(() => this.atomically(run))
    this.#last = result.catch(() => {})
    return result
  }

  async check(): Promise<void> {}

  /** The seq of the ledger's last movement; 0 for none. */
  ledgerEnd(): Promise<number> {
    return this.transact(async () => this.state.lastSeq())
  }

  /** Seeds a new catalog: for a store whose state is new. */
  protected async seed(options: StoreOptions): Promise<void> {
    await this.#stockroom.seed(storeDefaults(options).catalog, this.#now())
  }

  async catalog(skus?: readonly string[]): Promise<CatalogSnapshot> {
    return this.transact(async () => {
      const products = [] as ProductStock[]
      for (const sku of skus ?? []) products.push(await this.#stockroom.product(sku))
      return this.#catalogOf(skus ? products : await this.state.products())
    })
  }

  async cart(session: string): Promise<CartView> {
    return this.transact(async () => {
      const lines = [] as CartLine[]
      for (const line of await this.#stockroom.linesOf(session)) {
        lines.push(cartLineOf(line, await this.#stockroom.product(line.sku)))
      }
      return { ...(await this.#stamp()), lines }
    })
  }

  async apply(command: CartCommand, idempotencyKey?: string): Promise<CartResult> {
    return this.#once(SHOPPER_KEYS, idempotencyKey, commandOf(command), async (): Promise<Outcome<CartResult>> => {
      const outcome = await this.#stockroom.apply(command, holdEndNow(this.#holds), this.#now(), idempotencyKey)
      const stamp = await this.#stamp()
      if (!outcome.ok) {
        const { ok, product, ...refusal } = outcome
        return { answer: { ...stamp, ok, product, refusal }, changed: [] }
      }
      const answer = { ...stamp, ok: true, line: cartLineOf(outcome.line, outcome.product) } as const
      return { answer, changed: outcome.changed }
    })
  }

  async expireHolds(): Promise<void> {
    this.#tell(await this.transact(() => this.#stockroom.expire(this.#now())))
  }

  async checkout(session: string, idempotencyKey?: string): Promise<CheckoutResult> {
    return this.#once(SHOPPER_KEYS, idempotencyKey, operationOf('checkout', session), () =>
      this.#answer(this.#stockroom.checkout(session, nanoid(), this.#now(), idempotencyKey)),
    )
  }

  async order(id: string): Promise<Order | undefined> {
    return this.transact(async () => this.state.order(id))
  }

  async orders(query: OrderQuery): Promise<Order[]> {
    return this.transact(async () => this.state.orders(query))
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
    return this.transact(async () => this.state.movements(after, limit, sku))
  }

  async verify(): Promise<Divergence | undefined> {
    const snapshot = await this.transact(async () => ({
      seq: await this.state.lastSeq(),
      products: await this.state.products(),
    }))
    return verifyLedger(snapshot, (after, limit) => this.transact(async () => this.state.movements(after, limit)))
  }

  /** A domain outcome as an answer, and the products it changed apart. */
  async #answer<T extends object>(pending: Promise<T>): Promise<Outcome<Answered<T>>> {
    const outcome = await pending
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
    run: () => Promise<Outcome<T>>,
  ): Promise<T> {
    const { answer, changed } = await this.transact(async (): Promise<Outcome<T>> => {
      if (key === undefined) return run()
      const now = this.#now()
      const kept = `${scope}:${key}`
      const first = await this.firstResult(kept, now)
      if (first?.command === command) return { answer: { ...(first.result as T), replayed: true }, changed: [] }
      if (first) throw new IdempotencyKeyReusedError()
      const outcome = await run()
      await this.keepResult(kept, { command, result: outcome.answer }, now + IDEMPOTENCY_KEY_TTL_MS)
      return outcome
    })
    this.#tell(changed)
    return answer
  }

  #now(): number {
    return this.#holds.clock.now()
  }

  /** Tells the feed of a change: the products it changed, each at the version the change moved the catalog to. */
  #tell(products: readonly ProductStock[]): void {
    if (products.length === 0) return
    this.feed.tell({ epoch: this.epoch, version: products[0]!.version, products })
  }

  /** The epoch and the version now. */
  async #stamp(): Promise<{ readonly epoch: string; readonly version: number }> {
    return { epoch: this.epoch, version: await this.state.version() }
  }

  async #catalogOf(products: readonly ProductStock[]): Promise<CatalogSnapshot> {
    return { ...(await this.#stamp()), products }
  }
}
