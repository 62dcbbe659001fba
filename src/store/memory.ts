import { nanoid } from 'nanoid'
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible'
import type { Catalog } from '../domain/catalog.js'
import type { ProductStock } from '../domain/product.js'
import { NEVER, Stockroom, type Line } from '../domain/stockroom.js'
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js'
import {
  commandOf,
  holdEndNow,
  IDEMPOTENCY_KEY_TTL_MS,
  storeDefaults,
  type CartCommand,
  type CartLine,
  type CartResult,
  type CartView,
  type ChangeListener,
  type HoldPolicy,
  type Store,
  type StoreOptions,
} from './store.js'

interface FirstResult {
  readonly command: string
  readonly result: CartResult
  readonly forgetAt: number
}

/**
 * The embedded store: one process holds the whole stock, so every action is atomic by construction. Its
 * epoch is the store's life: a restarted process starts a new one.
 */
export class MemoryStore implements Store {
  readonly #stockroom: Stockroom
  readonly #epoch = nanoid()
  readonly #holds: HoldPolicy
  readonly #listeners = new Set<ChangeListener>()
  /** Results by idempotency key, oldest first: every key is kept equally long. */
  readonly #firstResults = new Map<string, FirstResult>()

  constructor(options: StoreOptions = {}) {
    const { catalog, rules, holds } = storeDefaults(options)
    this.#stockroom = new Stockroom(catalog, rules)
    this.#holds = holds
  }

  async catalog(skus?: readonly string[]): Promise<Catalog> {
    const products = skus ? skus.map((sku) => this.#stockroom.product(sku)) : this.#stockroom.products()
    return this.#catalogOf(products)
  }

  async cart(session: string): Promise<CartView> {
    return { ...this.#stamp(), lines: this.#stockroom.linesOf(session).map((line) => this.#cartLine(line)) }
  }

  async apply(command: CartCommand, idempotencyKey?: string): Promise<CartResult> {
    if (idempotencyKey === undefined) return this.#apply(command)
    const now = this.#holds.clock.now()
    for (const [key, { forgetAt }] of this.#firstResults) {
      if (forgetAt > now) break
      this.#firstResults.delete(key)
    }
    const first = this.#firstResults.get(idempotencyKey)
    if (first?.command === commandOf(command)) return { ...first.result, replayed: true }
    if (first) throw new IdempotencyKeyReusedError()
    const result = this.#apply(command)
    this.#firstResults.set(idempotencyKey, {
      command: commandOf(command),
      result,
      forgetAt: now + IDEMPOTENCY_KEY_TTL_MS,
    })
    return result
  }

  #apply(command: CartCommand): CartResult {
    const outcome = this.#stockroom.apply(command, holdEndNow(this.#holds))
    if (!outcome.ok) {
      const { ok, product, ...refusal } = outcome
      return { ...this.#stamp(), ok, product, refusal }
    }
    if (outcome.changed) this.#tell([outcome.product])
    return { ...this.#stamp(), ok: true, line: this.#cartLine(outcome.line) }
  }

  async expireHolds(): Promise<void> {
    const changed = this.#stockroom.expire(this.#holds.clock.now())
    if (changed.length > 0) this.#tell(changed)
  }

  #tell(products: readonly ProductStock[]): void {
    const change = this.#catalogOf(products)
    for (const listener of this.#listeners) listener(change)
  }

  #cartLine({ sku, quantity, until }: Line): CartLine {
    return { sku, quantity, holdUntil: until === NEVER ? null : until, product: this.#stockroom.product(sku) }
  }

  /** The epoch and the version now. */
  #stamp(): { readonly epoch: string; readonly version: number } {
    return { epoch: this.#epoch, version: this.#stockroom.version }
  }

  #catalogOf(products: readonly ProductStock[]): Catalog {
    return { ...this.#stamp(), products }
  }

  rateLimiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds })
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {
    this.#listeners.clear()
  }
}
