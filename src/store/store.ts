import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import { systemClock, type Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import { NEVER, type CartAction } from '../domain/shopping-cart.js'
import type { StockSnapshot } from '../domain/stock-snapshot.js'

/** The stock as one session sees it. */
export interface SessionView {
  readonly snapshot: StockSnapshot
  readonly inCart: boolean
  /** When the session's hold ends, in ms since the epoch; null when it holds nothing or holds never expire. */
  readonly holdUntil: number | null
}

/** How long a unit stays in a cart without an action by its session; 0 keeps it until it is removed. */
export interface HoldPolicy {
  readonly clock: Clock
  readonly ttlMs: number
}

export const holdsNeverExpire: HoldPolicy = { clock: systemClock, ttlMs: 0 }

/** What every store is made from. */
export interface StoreOptions {
  /** The units of the product, when the store starts a stock; `DEFAULT_TOTAL_INVENTORY` without it. */
  readonly totalInventory?: number
  /** How long holds last; without it, they never lapse. */
  readonly holds?: HoldPolicy
  /** Where a store that keeps connections says what it cannot tell its callers: outages, bad messages. */
  readonly logger?: Logger
}

/** When a hold made or renewed now ends under `holds`: `NEVER` when holds do not expire. */
export const holdEndNow = ({ clock, ttlMs }: HoldPolicy): number => (ttlMs > 0 ? clock.now() + ttlMs : NEVER)

/**
 * What an action did. `replayed` marks the result of an earlier action under the same idempotency key,
 * given again without acting.
 */
export type CartResult =
  | ({ readonly ok: true; readonly replayed?: true } & SessionView)
  | { readonly ok: false; readonly error: 'sold_out'; readonly snapshot: StockSnapshot; readonly replayed?: true }

/** How long an idempotency key is remembered, with the result of its action. */
export const IDEMPOTENCY_KEY_TTL_MS = 10 * 60 * 1000

/** What an idempotency key is compared by: the same action by the same session is the same command. */
export const commandOf = (action: CartAction, session: string): string => `${action} ${session}`

export type ChangeListener = (snapshot: StockSnapshot) => void

/**
 * Where the stock lives. Every implementation applies the rules of `ShoppingCart` atomically, and tells its
 * listeners of every change it makes or learns of. A store that loses touch with shared state and regains it
 * reports the newest version then, which may repeat one already reported or skip the ones in between:
 * listeners keep the newest and ignore the rest. Any method may throw `StoreUnavailableError`.
 */
export interface Store {
  snapshot(): Promise<StockSnapshot>
  viewOf(session: string): Promise<SessionView>
  /**
   * Applies an action; any action by a session that holds a unit renews its hold. Under an idempotency key
   * it happens at most once: for `IDEMPOTENCY_KEY_TTL_MS`, the same action under that key is given the first
   * result again (shared by every process on one shared stock), and another action throws
   * `IdempotencyKeyReusedError`.
   */
  apply(action: CartAction, session: string, idempotencyKey?: string): Promise<CartResult>
  /**
   * Returns to stock every hold whose time is up, as one change that listeners hear of like any other.
   * With several processes on one shared stock, each expired hold is returned exactly once.
   */
  expireHolds(): Promise<void>
  /** Returns a function that stops the listening. */
  onChange(listener: ChangeListener): () => void
  /**
   * Counts up to `points` for each key in each window of `durationSeconds`, where this store keeps shared
   * state: every process sharing the store counts together. `name` keeps counts of different purposes apart.
   */
  rateLimiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract
  /** Resolves when the store can serve and hear of changes; throws `StoreUnavailableError` when it cannot. */
  check(): Promise<void>
  close(): Promise<void>
}
