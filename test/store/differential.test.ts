import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CartRequest } from '../../src/domain/cart-rules.js'
import { openMemoryStore } from '../../src/store/memory.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { openRedisStore } from '../../src/store/redis.js'
import type { StoreOptions } from '../../src/store/store.js'
import { products } from '../helpers/catalogs.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { REDIS_URL, runRedisTests, useKeyPrefixes } from '../helpers/redis.js'
import { testStoreOf, type TestStore } from '../helpers/stores.js'
import { DATABASE_URL, runPostgresTests, useSchemas } from '../helpers/postgres.js'

const SESSIONS = ['a', 'b', 'c']
const SKUS = ['sku-0', 'sku-1', 'sku-2']
const TTL_MS = 60_000

/** One thing a shopper or the admin does, with the idempotency key it is sent under, if any. */
type Operation = { readonly key: string | undefined } & (
  | { readonly kind: 'cart'; readonly session: string; readonly sku: string; readonly request: CartRequest }
  | { readonly kind: 'checkout'; readonly session: string }
  | { readonly kind: 'adjust'; readonly sku: string; readonly delta: number; readonly expected: number | undefined }
  | {
      readonly kind: 'sell'
      readonly sku: string
      readonly quantity: number
      readonly expected: number | undefined
      readonly takeFromHolds: boolean
    }
  | { readonly kind: 'put'; readonly sku: string; readonly onHand: number; readonly expected: number | undefined }
  | { readonly kind: 'release'; readonly sku: string; readonly session: string }
  | { readonly kind: 'archive'; readonly sku: string; readonly archived: boolean }
  | { readonly kind: 'cancel'; readonly nth: number }
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'retry'; readonly nth: number }
)

const key = fc.option(fc.constantFrom('k1', 'k2', 'k3', 'k4'), { nil: undefined })
const expected = fc.option(fc.nat(8), { nil: undefined })
const session = fc.constantFrom(...SESSIONS)
const sku = fc.constantFrom(...SKUS)
const request: fc.Arbitrary<CartRequest> = fc.oneof(
  fc.constantFrom<CartRequest>({ action: 'add' }, { action: 'remove' }),
  fc.nat(5).map((quantity): CartRequest => ({ action: 'set', quantity })),
)
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('cart' as const), key, session, sku, request }),
  fc.record({ kind: fc.constant('checkout' as const), key, session }),
  fc.record({ kind: fc.constant('adjust' as const), key, sku, delta: fc.integer({ min: -4, max: 4 }), expected }),
  fc.record({
    kind: fc.constant('sell' as const),
    key,
    sku,
    quantity: fc.integer({ min: 1, max: 6 }),
    expected,
    takeFromHolds: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('put' as const),
    key,
    sku: fc.constantFrom(...SKUS, 'sku-new'),
    onHand: fc.nat(8),
    expected,
  }),
  fc.record({ kind: fc.constant('release' as const), key, sku, session }),
  fc.record({ kind: fc.constant('archive' as const), key, sku, archived: fc.boolean() }),
  fc.record({ kind: fc.constant('cancel' as const), key, nth: fc.nat(4) }),
  fc.record({ kind: fc.constant('time' as const), key: fc.constant(undefined), ms: fc.constantFrom(1_000, TTL_MS) }),
  fc.record({ kind: fc.constant('retry' as const), key: fc.constant(undefined), nth: fc.nat(20) }),
)

/**
 * One store driven through a sequence, with what it answered, in a form two stores can be compared by: its
 * epoch and its order ids, which each store draws at random, named by their place.
 */
class Driven {
  readonly #orders: string[] = []
  readonly #sent: Operation[] = []

  constructor(
    readonly store: TestStore,
    readonly clock: ManualClock,
  ) {}

  /** What the store answers `op`, or the kind of error it throws; the answer normalised. */
  async answer(op: Operation): Promise<unknown> {
    try {
      return this.#normalised(await this.#send(op))
    } catch (error) {
      return { threw: error instanceof Error ? error.name : String(error) }
    }
  }

  async #send(op: Operation): Promise<unknown> {
    const { store } = this
    if (op.kind !== 'retry' && op.kind !== 'time') this.#sent.push(op)
    switch (op.kind) {
      case 'cart':
        return store.apply({ session: op.session, sku: op.sku, request: op.request }, op.key)
      case 'checkout': {
        const result = await store.checkout(op.session, op.key)
        if (result.ok && !result.replayed) this.#orders.push(result.order.id)
        return result
      }
      case 'adjust':
        return store.adjust({ sku: op.sku, delta: op.delta, reason: 'count', expected: op.expected }, op.key)
      case 'sell': {
        const { sku, quantity, expected, takeFromHolds } = op
        return store.sell({ sku, quantity, reason: 'till', expected, takeFromHolds }, op.key)
      }
      case 'archive':
        return store.archive(op.sku, op.archived, op.key)
      case 'put':
        return store.putProduct(
          { sku: op.sku, name: `Name of ${op.sku}`, onHand: op.onHand, expected: op.expected },
          op.key,
        )
      case 'release':
        return store.releaseHold(op.sku, op.session, op.key)
      case 'cancel': {
        const id = this.#orders[op.nth % Math.max(1, this.#orders.length)]
        return id === undefined ? 'no order yet' : store.cancelOrder(id, op.key)
      }
      case 'time':
        this.clock.advance(op.ms)
        return store.expireHolds()
      case 'retry': {
        // The same request sent again, under the key it had: answered as first, or refused if it had none.
        const again = this.#sent[op.nth % Math.max(1, this.#sent.length)]
        return again === undefined ? 'nothing sent yet' : this.#send(again)
      }
    }
  }

  /** The store's state now: every product, every cart, every order, and the ledger, normalised. */
  async state(): Promise<unknown> {
    const { store } = this
    const catalog = await store.catalog()
    const carts = await Promise.all(SESSIONS.map((name) => store.cart(name)))
    const orders = await Promise.all(this.#orders.map((id) => store.order(id)))
    const ledger = await store.movements({ after: 0, limit: 10_000 })
    return this.#normalised({ catalog, carts, orders, ledger, verified: await store.verify() })
  }

  /** `value` with its epoch written `epoch` and each order id as its place among the orders made. */
  #normalised(value: unknown): unknown {
    const text = JSON.stringify(value ?? null)
      .replace(/"epoch":"[^"]*"/g, '"epoch":"epoch"')
      .replace(
        /"(id|orderId)":"([^"]*)"/g,
        (_, field: string, id: string) => `"${field}":"order ${this.#orders.indexOf(id)}"`,
      )
    return JSON.parse(text)
  }
}

/** The stores that keep the stock outside this process, each held to the memory store's answers. */
const others = [
  {
    name: 'Redis',
    runs: runRedisTests,
    use: () => {
      const newPrefix = useKeyPrefixes()
      return (options: StoreOptions) => openRedisStore({ ...options, url: REDIS_URL, keyPrefix: newPrefix() })
    },
  },
  {
    // The same Stockroom over queries: what it holds to the rules is the state's SQL.
    name: 'PostgreSQL',
    runs: runPostgresTests,
    use: () => {
      const newSchema = useSchemas()
      return (options: StoreOptions) => openPostgresStore({ ...options, url: DATABASE_URL, schema: newSchema() })
    },
  },
].filter(({ runs }) => runs)

describe.each(others)('the $name store, held to the rules of the memory store', ({ use }) => {
  const open = use()

  it('answers every random sequence of every operation as the memory store does, and ends with the same stock and ledger', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 50 }), async (operations) => {
        // Each store has a clock of its own, at the same instant, moved alike.
        const clocks = [new ManualClock(), new ManualClock()] as const
        for (const clock of clocks) clock.advance(1_800_000_000_000)
        const options = (clock: ManualClock): StoreOptions => ({
          catalog: products(SKUS.length, 3),
          rules: { maxPerSession: 4 },
          holds: { clock, ttlMs: TTL_MS },
        })
        const memory = testStoreOf(openMemoryStore(options(clocks[0])))
        const other = testStoreOf(await open(options(clocks[1])))
        // Closed after each run: a database takes only so many connections.
        try {
          const [byRules, byOther] = [new Driven(memory, clocks[0]), new Driven(other, clocks[1])]
          for (const [i, op] of operations.entries()) {
            expect(await byOther.answer(op), `operation ${i + 1}: ${JSON.stringify(op)}`).toEqual(
              await byRules.answer(op),
            )
          }
          expect(await byOther.state()).toEqual(await byRules.state())
        } finally {
          await Promise.all([memory.close(), other.close()])
        }
      }),
      { numRuns: 150 },
    )
  }, 120_000)
})
