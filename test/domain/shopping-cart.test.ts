import { describe, expect, it } from 'vitest'
import { ShoppingCart, type CartOutcome } from '../../src/domain/shopping-cart.js'

/** The cart after an outcome the test expects to succeed. */
function cartAfter(outcome: CartOutcome): ShoppingCart {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error}`)
  return outcome.cart
}

function fill(cart: ShoppingCart, sessions: readonly string[]): ShoppingCart {
  return sessions.reduce((current, session) => cartAfter(current.add(session)), cart)
}

describe('ShoppingCart', () => {
  it('starts with 10 units, all left, at version 0', () => {
    const cart = ShoppingCart.create()
    expect(cart.snapshot()).toEqual({ inventoryCount: 10, totalInventory: 10, version: 0 })
  })

  it('takes its total inventory from the caller', () => {
    expect(ShoppingCart.create(3).snapshot()).toEqual({ inventoryCount: 3, totalInventory: 3, version: 0 })
  })

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a total inventory of %s', (total) => {
    expect(() => ShoppingCart.create(total)).toThrow(RangeError)
  })

  it('puts one unit in a session cart and moves the version by one', () => {
    const outcome = ShoppingCart.create().add('alice')
    expect(outcome).toMatchObject({ ok: true, changed: true })
    const cart = cartAfter(outcome)
    expect(cart.holds('alice')).toBe(true)
    expect(cart.snapshot()).toEqual({ inventoryCount: 9, totalInventory: 10, version: 1 })
  })

  it('holds at most one unit per session: a second add changes nothing', () => {
    const cart = cartAfter(ShoppingCart.create().add('alice'))
    const again = cart.add('alice')
    expect(again).toMatchObject({ ok: true, changed: false })
    expect(cartAfter(again).snapshot()).toEqual({ inventoryCount: 9, totalInventory: 10, version: 1 })
  })

  it('returns a removed unit to stock and moves the version by one', () => {
    const cart = cartAfter(cartAfter(ShoppingCart.create().add('alice')).remove('alice'))
    expect(cart.holds('alice')).toBe(false)
    expect(cart.snapshot()).toEqual({ inventoryCount: 10, totalInventory: 10, version: 2 })
  })

  it('ignores a remove from a session that holds nothing', () => {
    const outcome = ShoppingCart.create().remove('bob')
    expect(outcome).toMatchObject({ ok: true, changed: false })
    expect(cartAfter(outcome).version).toBe(0)
  })

  it('refuses to sell past the last unit with sold_out, and stays as it was', () => {
    const full = fill(ShoppingCart.create(2), ['a', 'b'])
    expect(full.inventoryCount).toBe(0)
    expect(full.add('c')).toEqual({ ok: false, error: 'sold_out' })
    expect(full.snapshot()).toEqual({ inventoryCount: 0, totalInventory: 2, version: 2 })
  })

  it('still lets a holder re-add when sold out, since it changes nothing', () => {
    const full = fill(ShoppingCart.create(1), ['a'])
    expect(full.add('a')).toMatchObject({ ok: true, changed: false })
  })

  it('sells a unit again once a holder removes it', () => {
    const full = fill(ShoppingCart.create(1), ['a'])
    const freed = cartAfter(full.remove('a'))
    expect(cartAfter(freed.add('b')).snapshot()).toEqual({ inventoryCount: 0, totalInventory: 1, version: 3 })
  })

  it('is always sold out with no inventory at all', () => {
    expect(ShoppingCart.create(0).add('a')).toEqual({ ok: false, error: 'sold_out' })
  })

  it('never changes the cart an action was applied to', () => {
    const before = ShoppingCart.create()
    before.add('alice')
    expect(before.holds('alice')).toBe(false)
    expect(before.snapshot()).toEqual({ inventoryCount: 10, totalInventory: 10, version: 0 })
  })

  it('dispatches apply to add and remove', () => {
    const added = cartAfter(ShoppingCart.create().apply('add', 's'))
    expect(added.holds('s')).toBe(true)
    expect(cartAfter(added.apply('remove', 's')).holds('s')).toBe(false)
  })

  it('keeps count = total - holders and versions = effective changes over a mixed run', () => {
    let cart = ShoppingCart.create(3)
    let effective = 0
    const sessions = ['a', 'b', 'c', 'd']
    for (let step = 0; step < 200; step++) {
      const session = sessions[(step * 7) % sessions.length]!
      const outcome = cart.apply(step % 3 === 0 ? 'remove' : 'add', session)
      if (!outcome.ok) continue
      if (outcome.changed) effective++
      cart = outcome.cart
      const holders = sessions.filter((s) => cart.holds(s)).length
      expect(cart.inventoryCount).toBe(3 - holders)
      expect(cart.inventoryCount).toBeGreaterThanOrEqual(0)
      expect(cart.version).toBe(effective)
    }
  })

  describe('holds that expire', () => {
    it('holds a unit until the instant its add names, and returns it at expire(now) as one change', () => {
      const cart = cartAfter(cartAfter(ShoppingCart.create().add('alice', 1000)).add('bob', 2000))
      expect(cart.holdUntil('alice')).toBe(1000)
      expect(cart.expire(999)).toMatchObject({ cart, changed: false })

      const { cart: after, changed } = cart.expire(1000)
      expect(changed).toBe(true)
      expect(after.holds('alice')).toBe(false)
      expect(after.holds('bob')).toBe(true)
      expect(after.snapshot()).toEqual({ inventoryCount: 9, totalInventory: 10, version: 3 })
    })

    it('returns every hold that is over in one change', () => {
      const both = cartAfter(cartAfter(ShoppingCart.create(3).add('a', 10)).add('b', 20))
      expect(both.expire(30).cart.snapshot()).toEqual({ inventoryCount: 3, totalInventory: 3, version: 3 })
    })

    it('renews a hold on a repeated add, without a new version', () => {
      const cart = cartAfter(ShoppingCart.create().add('alice', 1000))
      const outcome = cart.add('alice', 5000)
      expect(outcome).toMatchObject({ ok: true, changed: false })
      const renewed = cartAfter(outcome)
      expect(renewed.version).toBe(cart.version)
      expect(renewed.holdUntil('alice')).toBe(5000)
      expect(renewed.expire(1000).changed).toBe(false)
    })

    it('never expires a hold added without an end', () => {
      const cart = cartAfter(ShoppingCart.create().add('alice'))
      expect(cart.expire(Number.MAX_SAFE_INTEGER).changed).toBe(false)
    })
  })
})
