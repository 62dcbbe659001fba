import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ShoppingCart } from '../../src/domain/shopping-cart.js'

/** One step a shop can take: a session's action at an instant (holding for `ttl` ms), or a sweep for lapsed holds. */
type Step =
  | { readonly kind: 'add' | 'remove'; readonly session: string; readonly ttl: number }
  | { readonly kind: 'expire' }
  | { readonly kind: 'wait'; readonly ms: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('add' as const, 'remove' as const),
    // Few sessions, so that they collide: repeats, removes of what is held, holds that lapse.
    session: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
    ttl: fc.integer({ min: 1, max: 5000 }),
  }),
  fc.constant({ kind: 'expire' as const }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
)

describe('ShoppingCart, under any sequence of actions and expiries', () => {
  it('keeps 0 ≤ left ≤ total, left = total − holders, and moves the version by exactly one per effective change', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(step, { maxLength: 200 }), (total, steps) => {
        let cart = ShoppingCart.create(total)
        let now = 0
        const sessions = ['a', 'b', 'c', 'd', 'e', 'f']
        for (const next of steps) {
          if (next.kind === 'wait') {
            now += next.ms
            continue
          }
          const before = cart
          let changed: boolean
          if (next.kind === 'expire') {
            ;({ cart, changed } = cart.expire(now))
          } else {
            const outcome = cart.apply(next.kind, next.session, now + next.ttl)
            if (!outcome.ok) {
              // Refused only when nothing is left and the session holds nothing; and nothing changed.
              expect([next.kind, before.inventoryCount, before.holds(next.session)]).toEqual(['add', 0, false])
              continue
            }
            ;({ cart, changed } = outcome)
          }
          const holders = sessions.filter((session) => cart.holds(session)).length
          expect(cart.inventoryCount).toBeGreaterThanOrEqual(0)
          expect(cart.inventoryCount).toBeLessThanOrEqual(total)
          expect(cart.inventoryCount).toBe(total - holders)
          expect(cart.version).toBe(before.version + (changed ? 1 : 0))
          expect(changed).toBe(cart.inventoryCount !== before.inventoryCount || holdersDiffer(before, cart, sessions))
          if (next.kind === 'expire') {
            for (const session of sessions)
              if (cart.holds(session)) expect(cart.holdUntil(session)).toBeGreaterThan(now)
          }
        }
      }),
      { numRuns: 500 },
    )
  })
})

const holdersDiffer = (a: ShoppingCart, b: ShoppingCart, sessions: readonly string[]) =>
  sessions.some((session) => a.holds(session) !== b.holds(session))
