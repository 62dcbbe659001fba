import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CartRequest, CartRules } from '../../src/domain/cart-rules.js'
import { availableOf } from '../../src/domain/product.js'
import { Stockroom } from '../../src/domain/stockroom.js'

const SKUS = ['a', 'b', 'c']
const SESSIONS = ['s1', 's2', 's3', 's4', 's5']
const ADDRESSES = ['10.0.0.1', '10.0.0.2']

/** One step a shop can take: a session's request at an instant (holding for `ttl` ms), a sweep, or time passing. */
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
)

const rules: fc.Arbitrary<CartRules> = fc.record({
  maxPerSession: fc.integer({ min: 1, max: 4 }),
  maxPerAddress: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
})

describe('Stockroom, under any sequence of requests, sweeps and time', () => {
  it('never holds more than onHand, keeps every count equal to its lines, every line within its caps, and moves the version by one per change', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: SKUS.length, maxLength: SKUS.length }),
        rules,
        fc.array(step, { maxLength: 150 }),
        (onHands, cartRules, steps) => {
          const room = new Stockroom(
            SKUS.map((sku, i) => ({ sku, name: sku, onHand: onHands[i]! })),
            cartRules,
          )
          /** The address each line was made from, as the test keeps it, by `<session>|<sku>`. */
          const addressOf = new Map<string, string>()
          let now = 0
          for (const next of steps) {
            if (next.kind === 'wait') {
              now += next.ms
              continue
            }
            const before = room.version
            const productsBefore = room.products()
            let changed: number
            if (next.kind === 'expire') {
              changed = room.expire(now).length
              // Lapsed lines forget their address: a line made again is of the address that makes it.
              for (const key of addressOf.keys()) {
                const [session, sku] = key.split('|') as [string, string]
                if (!room.linesOf(session).some((line) => line.sku === sku)) addressOf.delete(key)
              }
            } else {
              const { session, sku, address } = next
              const key = `${session}|${sku}`
              const outcome = room.apply({ session, sku, request: next.request, address }, now + next.ttl)
              if (!outcome.ok) {
                // A refusal changes nothing at all.
                expect(room.products()).toEqual(productsBefore)
                expect(room.version).toBe(before)
                continue
              }
              if (outcome.line.quantity > 0 && !addressOf.has(key)) addressOf.set(key, address)
              if (outcome.line.quantity === 0) addressOf.delete(key)
              changed = outcome.changed ? 1 : 0
            }
            expect(room.version).toBe(before + (changed > 0 ? 1 : 0))

            for (const product of room.products()) {
              const lines = SESSIONS.flatMap((session) =>
                room.linesOf(session).filter((line) => line.sku === product.sku),
              )
              const held = lines.reduce((sum, line) => sum + line.quantity, 0)
              expect(product.held).toBe(held)
              expect(product.held).toBeLessThanOrEqual(product.onHand)
              expect(availableOf(product)).toBe(product.onHand - product.held)
              for (const line of lines) {
                expect(line.quantity).toBeLessThanOrEqual(cartRules.maxPerSession)
                expect(line.until).toBeGreaterThan(next.kind === 'expire' ? now : -1)
              }
              if (cartRules.maxPerAddress !== undefined) {
                for (const address of ADDRESSES) {
                  const byAddress = SESSIONS.flatMap((session) =>
                    room
                      .linesOf(session)
                      .filter(
                        (line) => line.sku === product.sku && addressOf.get(`${session}|${line.sku}`) === address,
                      ),
                  ).reduce((sum, line) => sum + line.quantity, 0)
                  expect(byAddress).toBeLessThanOrEqual(cartRules.maxPerAddress)
                }
              }
            }
          }
        },
      ),
      { numRuns: 400 },
    )
  })
})
