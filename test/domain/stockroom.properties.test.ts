import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CartRequest, CartRules } from '../../src/domain/cart-rules.js'
import { replay } from '../../src/domain/movement.js'
import { availableOf } from '../../src/domain/product.js'
import { Stockroom } from '../../src/domain/stockroom.js'
import { MemoryState } from '../../src/store/memory-state.js'
import { migrate } from '../../src/store/postgres-schema.js'
import { BIGINT_AS_NUMBER, PostgresState } from '../../src/store/postgres-state.js'
import type { LedgerState } from '../../src/store/stockroom-repository.js'
import { DATABASE_URL, runPostgresTests } from '../helpers/postgres.js'

const SKUS = ['a', 'b', 'c']
const SESSIONS = ['s1', 's2', 's3', 's4', 's5']
const ADDRESSES = ['10.0.0.1', '10.0.0.2']

/**
 * One step a shop can take: a session's request at an instant (holding for `ttl` ms), a sweep, time passing,
 * a checkout, an admin's adjustment, or the cancelling of the `nth` order so far.
 */
type Step =
  | {
      readonly kind: 'request'
      readonly session: string
      readonly sku: string
      readonly request: CartRequest
      readonly address: string
      readonly ttl: number
    }
  | { readonly kind: 'expire' }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'checkout'; readonly session: string }
  | { readonly kind: 'adjust'; readonly sku: string; readonly delta: number }
  | { readonly kind: 'cancel'; readonly nth: number }

const request: fc.Arbitrary<CartRequest> = fc.oneof(
  fc.constantFrom<CartRequest>({ action: 'add' }, { action: 'remove' }),
  fc.integer({ min: 0, max: 6 }).map((quantity): CartRequest => ({ action: 'set', quantity })),
)

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('request' as const),
    // Few sessions, products and addresses, so that they collide: repeats, caps, sold-out products, lapses.
    session: fc.constantFrom(...SESSIONS),
    sku: fc.constantFrom(...SKUS),
    request,
    address: fc.constantFrom(...ADDRESSES),
    ttl: fc.integer({ min: 1, max: 5000 }),
  }),
  fc.constant({ kind: 'expire' as const }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
  fc.record({ kind: fc.constant('checkout' as const), session: fc.constantFrom(...SESSIONS) }),
  fc.record({
    kind: fc.constant('adjust' as const),
    sku: fc.constantFrom(...SKUS),
    delta: fc.integer({ min: -4, max: 4 }),
  }),
  fc.record({ kind: fc.constant('cancel' as const), nth: fc.nat(10) }),
)

const rules: fc.Arbitrary<CartRules> = fc.record({
  maxPerSession: fc.integer({ min: 1, max: 4 }),
  maxPerAddress: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
})

/** A state for one run of the property, and the runs to make: in memory, and over PostgreSQL's SQL. */
interface StateKind {
  readonly name: string
  readonly numRuns: number
  /** Runs `body` on a fresh, empty state, and throws the state away after. */
  readonly withState: (body: (state: LedgerState) => Promise<void>) => Promise<void>
}

const memory: StateKind = { name: 'memory', numRuns: 400, withState: (body) => body(new MemoryState()) }

/**
 * Each run in one transaction of its own, in a schema made inside it, rolled back after: PostgreSQL's tables
 * come and go with the transaction, and nothing is left behind.
 */
function postgres(): StateKind {
  const client = new pg.Client({ connectionString: DATABASE_URL, types: BIGINT_AS_NUMBER })
  beforeAll(() => client.connect())
  afterAll(() => client.end())
  return {
    name: 'PostgreSQL',
    numRuns: 150,
    async withState(body) {
      await client.query('BEGIN')
      try {
        await client.query('SET LOCAL search_path TO property_run')
        await migrate(client, 'property_run')
        await client.query("INSERT INTO catalog (id, epoch, version, last_seq) VALUES (1, 'run', 0, 0)")
        const state = new PostgresState()
        state.use(client)
        await body(state)
      } finally {
        await client.query('ROLLBACK')
      }
    },
  }
}

describe.each([memory, ...(runPostgresTests ? [postgres()] : [])])(
  'Stockroom over $name, under any sequence of requests, sweeps and time',
  ({ numRuns, withState }) => {
    it('never holds more than onHand, keeps every count equal to its held lines, every line within its caps, moves the version by one per change, and keeps a ledger that replays to the counters', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 6 }), { minLength: SKUS.length, maxLength: SKUS.length }),
          rules,
          fc.array(step, { maxLength: 150 }),
          (onHands, cartRules, steps) =>
            withState(async (state) => {
              const room = new Stockroom(state, cartRules)
              /** Every session's lines now. */
              const linesNow = async () =>
                new Map(
                  await Promise.all(SESSIONS.map(async (session) => [session, await room.linesOf(session)] as const)),
                )
              await room.seed(
                SKUS.map((sku, i) => ({ sku, name: sku, onHand: onHands[i]! })),
                0,
              )
              /** The address each line was made from, as the test keeps it, by `<session>|<sku>`. */
              const addressOf = new Map<string, string>()
              const orders: string[] = []
              let now = 0
              for (const next of steps) {
                if (next.kind === 'wait') {
                  now += next.ms
                  continue
                }
                const before = await state.version()
                const productsBefore = await state.products()
                let changed: number
                if (next.kind === 'expire') {
                  changed = (await room.expire(now)).length
                } else if (next.kind === 'checkout') {
                  const outcome = await room.checkout(next.session, `order-${orders.length}`, now)
                  if (outcome.ok) orders.push(outcome.order.id)
                  changed = outcome.ok ? outcome.changed.length : 0
                } else if (next.kind === 'adjust') {
                  const outcome = await room.adjust({ sku: next.sku, delta: next.delta, reason: 'count' }, now)
                  changed = outcome.ok ? outcome.changed.length : 0
                } else if (next.kind === 'cancel') {
                  const id = orders[next.nth % Math.max(1, orders.length)]
                  const outcome = id === undefined ? undefined : await room.cancelOrder(id, now)
                  changed = outcome?.ok ? outcome.changed.length : 0
                } else {
                  const { session, sku, address } = next
                  const key = `${session}|${sku}`
                  const outcome = await room.apply(
                    { session, sku, request: next.request, address },
                    now + next.ttl,
                    now,
                  )
                  if (!outcome.ok) {
                    // A refusal changes nothing at all.
                    expect(await state.products()).toEqual(productsBefore)
                    expect(await state.version()).toBe(before)
                    continue
                  }
                  if (outcome.line.quantity > 0 && !addressOf.has(key)) addressOf.set(key, address)
                  if (outcome.line.quantity === 0) addressOf.delete(key)
                  changed = outcome.changed.length
                }
                const lines = await linesNow()
                // Lines that are gone forget their address: a line made again is of the address that makes it.
                for (const key of addressOf.keys()) {
                  const [session, sku] = key.split('|') as [string, string]
                  if (!lines.get(session)?.some((line) => line.sku === sku)) addressOf.delete(key)
                }
                expect(await state.version()).toBe(before + (changed > 0 ? 1 : 0))

                for (const product of await state.products()) {
                  const held = SESSIONS.flatMap((session) =>
                    (lines.get(session) ?? []).filter((line) => line.sku === product.sku && !line.lapsed),
                  )
                  const heldUnits = held.reduce((sum, line) => sum + line.quantity, 0)
                  expect(product.held).toBe(heldUnits)
                  expect(product.held).toBeLessThanOrEqual(product.onHand)
                  expect(availableOf(product)).toBe(product.onHand - product.held)
                  for (const line of held) {
                    expect(line.quantity).toBeLessThanOrEqual(cartRules.maxPerSession)
                    expect(line.until).toBeGreaterThan(next.kind === 'expire' ? now : -1)
                  }
                  if (cartRules.maxPerAddress !== undefined) {
                    for (const address of ADDRESSES) {
                      const byAddress = SESSIONS.flatMap((session) =>
                        (lines.get(session) ?? []).filter(
                          (line) =>
                            line.sku === product.sku &&
                            !line.lapsed &&
                            addressOf.get(`${session}|${line.sku}`) === address,
                        ),
                      ).reduce((sum, line) => sum + line.quantity, 0)
                      expect(byAddress).toBeLessThanOrEqual(cartRules.maxPerAddress)
                    }
                  }
                }
              }
              const ledger = await state.movements(0, Number.MAX_SAFE_INTEGER)
              expect(replay(ledger, await state.products())).toBeUndefined()
            }),
        ),
        { numRuns },
      )
    }, 60_000)
  },
)
