import { systemClock, type Clock } from '../clock.js'
import type { CatalogSnapshot } from '../domain/catalog.js'
import { CLASSIC_RULES, type CartRules, type Refusal } from '../domain/cart-rules.js'
import { DEFAULT_PRODUCT, type ProductDefinition, type ProductStock } from '../domain/product.js'
import type { Divergence, Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { LineOf } from '../domain/stock-state.js'
import {
  NEVER,
  type HoldEnd,
  type AdjustOutcome,
  type ArchiveOutcome,
  type AdjustmentInput,
  type SaleInput,
  type SaleOutcome,
  type CancelOutcome,
  type CheckoutOutcome,
  type LineCommand,
  type ProductInput,
  type PutOutcome,
  type ReleaseOutcome,
} from '../domain/stockroom.js'
import type { Logger } from '../logger.js'
import type { ChangeFeed } from './change-feed.js'
import type { Counters } from './counters.js'
import type { WebhookLog } from './webhook-log.js'

/** How long a unit stays in a cart without an action by its session; 0 keeps it until it is removed. */
export interface HoldPolicy {
  readonly clock: Clock
  readonly ttlMs: number
}

export const holdsNeverExpire: HoldPolicy = { clock: systemClock, ttlMs: 0 }

/** What every store is made from. */
export interface StoreOptions {
  /**
   * The products a store starts its catalog with, when it starts one (`[DEFAULT_PRODUCT]` without it); the
   * first is the one classic clients, which name no product, act on and watch.
   */
  readonly catalog?: readonly ProductDefinition[]
  /** The caps on a cart line; the classic one unit a session without it. */
  readonly rules?: CartRules
  /** How long holds last; without it, they never lapse. */
  readonly holds?: HoldPolicy
  /** Where a store that keeps connections says what it cannot tell its callers: outages, bad messages. */
  readonly logger?: Logger
}

/** The options every store falls back on, in one place. */
export const storeDefaults = (options: StoreOptions) => ({
  catalog: options.catalog ?? [DEFAULT_PRODUCT],
  rules: options.rules ?? CLASSIC_RULES,
  holds: options.holds ?? holdsNeverExpire,
})

/** When a hold made or renewed now ends under `holds`: `NEVER` when holds do not expire. */
export const holdEndNow = ({ clock, ttlMs }: HoldPolicy): HoldEnd => (ttlMs > 0 ? clock.now() + ttlMs : NEVER)

/** A cart action: one line's new state, asked for by a session from a client address. */
export type CartCommand = LineCommand

/** One line of a session's cart, with the product's stock. */
export interface CartLine {
  readonly sku: string
  readonly quantity: number
  /** When the hold lapses, in ms since the Unix epoch; null when holds never lapse, or it holds nothing. */
  readonly holdUntil: number | null
  /** The hold lapsed: the line holds nothing, though a checkout still sells it if its units are there. */
  readonly lapsed: boolean
  readonly product: ProductStock
}

/** A session's cart: every line, in catalog order, at a version of the catalog. */
export interface CartView {
  readonly epoch: string
  readonly version: number
  readonly lines: readonly CartLine[]
}

/**
 * What an action did: the line as it is now, or why nothing was done. `replayed` marks the result of an
 * earlier action under the same idempotency key, given again without acting.
 */
export type CartResult = { readonly epoch: string; readonly version: number; readonly replayed?: true } & (
  | { readonly ok: true; readonly line: CartLine }
  | { readonly ok: false; readonly refusal: Refusal; readonly product: ProductStock }
)

/** An operation's outcome as a store answers it: without the products it changed, which listeners hear of. */
export type Answered<T> = T extends unknown ? Omit<T, 'changed'> & { readonly replayed?: true } : never

export type CheckoutResult = Answered<CheckoutOutcome>
export type PutResult = Answered<PutOutcome>
export type AdjustResult = Answered<AdjustOutcome>
export type SaleResult = Answered<SaleOutcome>
export type ReleaseResult = Answered<ReleaseOutcome>
export type ArchiveResult = Answered<ArchiveOutcome>
export type CancelResult = Answered<CancelOutcome>

/** A page of the ledger: after the movement `after`, at most `limit`, of one product or of all. */
export interface MovementQuery {
  readonly sku?: string | undefined
  readonly after: number
  readonly limit: number
}

/**
 * A page of the orders, oldest first (by when they were made, then by id): those made in `[from, to)`, of
 * `status` when it is given, after the order `after` when it is given, at most `limit`.
 */
export interface OrderQuery {
  readonly status?: Order['status'] | undefined
  readonly from?: number | undefined
  readonly to?: number | undefined
  readonly after?: string | undefined
  readonly limit: number
}

/** Whether an order falls in a query's time and status, cursor aside. */
export const matchesOrder = ({ status, from, to }: OrderQuery, order: Order): boolean =>
  (status === undefined || order.status === status) &&
  (from === undefined || order.createdAt >= from) &&
  (to === undefined || order.createdAt < to)

/** The order orders are paged in: by when they were made, then by id. */
export const orderOrder = (a: Order, b: Order): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** How long an idempotency key is remembered, with the result of its action. */
export const IDEMPOTENCY_KEY_TTL_MS = 10 * 60 * 1000

/**
 * Whose idempotency keys a key is looked up among: the shoppers', or the admin's. A key a shopper sends never
 * meets the admin's, so no shopper can take a key the admin's back end will use.
 */
export const SHOPPER_KEYS = 'shopper'
export const ADMIN_KEYS = 'admin'

/**
 * What an idempotency key is compared by: the same request for the same line by the same session is the
 * same command, from whichever address.
 */
export const commandOf = ({ session, sku, request }: CartCommand): string =>
  JSON.stringify(['cart', session, sku, request.action, request.action === 'set' ? request.quantity : null])

/** What the other operations' idempotency keys are compared by: the operation and all it was given. */
export const operationOf = (...operation: readonly (string | number | object)[]): string => JSON.stringify(operation)

/**
 * Where the stock lives: the catalog, every session's cart, the orders and the ledger. Every implementation
 * applies the rules of `Stockroom` atomically, and tells its change feed of every change it makes. Any method
 * may throw `StoreUnavailableError`, and any that names a SKU the catalog lacks `UnknownProductError`.
 */
export interface StockRepository {
  /** The catalog now: the products `skus` names, in catalog order, or every product. */
  catalog(skus?: readonly string[]): Promise<CatalogSnapshot>
  /** A session's cart now. */
  cart(session: string): Promise<CartView>
  /**
   * Applies a cart action; any action of a session on a product renews its hold on it. Under an
   * idempotency key it happens at most once: for `IDEMPOTENCY_KEY_TTL_MS`, the same command under that key is
   * given the first result again (shared by every process on one shared stock), and another command throws
   * `IdempotencyKeyReusedError`.
   */
  apply(command: CartCommand, idempotencyKey?: string): Promise<CartResult>
  /**
   * Returns to stock every hold whose time is up, as one change that listeners hear of like any other.
   * With several processes on one shared stock, each expired hold is returned exactly once.
   */
  expireHolds(): Promise<void>
  /**
   * Sells every line of the session's cart, all or none, as `Stockroom.checkout`, under a fresh order id;
   * at most once per idempotency key, like `apply`.
   */
  checkout(session: string, idempotencyKey?: string): Promise<CheckoutResult>
  order(id: string): Promise<Order | undefined>
  /** A page of the orders (see `OrderQuery`); an `after` that names no order gives none. */
  orders(query: OrderQuery): Promise<Order[]>
  /** The admin's operations, as `Stockroom` has them; each at most once per idempotency key. */
  putProduct(input: ProductInput, idempotencyKey?: string): Promise<PutResult>
  adjust(input: AdjustmentInput, idempotencyKey?: string): Promise<AdjustResult>
  sell(input: SaleInput, idempotencyKey?: string): Promise<SaleResult>
  archive(sku: string, archived: boolean, idempotencyKey?: string): Promise<ArchiveResult>
  holds(sku: string): Promise<LineOf[]>
  releaseHold(sku: string, session: string, idempotencyKey?: string): Promise<ReleaseResult>
  cancelOrder(id: string, idempotencyKey?: string): Promise<CancelResult>
  /** A page of the ledger, oldest first. */
  movements(query: MovementQuery): Promise<Movement[]>
  /** Replays the whole ledger against every product's counters: the first divergence, or none. */
  verify(): Promise<Divergence | undefined>
  /** Resolves when the stock can be read and written; throws `StoreUnavailableError` when it cannot. */
  check(): Promise<void>
}

/**
 * A store of one engine, opened: the stock's repository, the feed its changes are heard on, the counters
 * the rate limits keep where the stock is shared, and the webhook sender's log. Closing closes them all.
 */
export interface StoreParts {
  readonly repository: StockRepository
  readonly feed: ChangeFeed
  readonly counters: Counters
  readonly webhooks: WebhookLog
  close(): Promise<void>
}
