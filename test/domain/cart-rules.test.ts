import { describe, expect, it } from 'vitest'
import { decideLine, wantedQuantity, type CartRequest } from '../../src/domain/cart-rules.js'
import { stockOf } from '../helpers/catalogs.js'

const line = (onHand: number, held: number, mine: number, byAddress = mine) => ({
  product: stockOf('p', 0, held, onHand),
  held: mine,
  heldByAddress: byAddress,
})

describe('the cart rules', () => {
  it.each([
    [{ action: 'add' }, 0, 1],
    [{ action: 'add' }, 3, 3],
    [{ action: 'remove' }, 3, 0],
    [{ action: 'set', quantity: 2 }, 3, 2],
    [{ action: 'set', quantity: 0 }, 3, 0],
  ] as [CartRequest, number, number][])('%o on a line of %i wants %i', (request, held, wanted) => {
    expect(wantedQuantity(request, held)).toBe(wanted)
  })

  it('holds one unit at most under the classic rule, and refuses an add with nothing left', () => {
    const classic = { maxPerSession: 1 }
    expect(decideLine(line(10, 0, 0), { action: 'add' }, classic)).toEqual({ quantity: 1 })
    expect(decideLine(line(10, 1, 1), { action: 'add' }, classic)).toEqual({ quantity: 1 })
    expect(decideLine(line(1, 1, 0), { action: 'add' }, classic)).toEqual({ error: 'sold_out', available: 0 })
    expect(decideLine(line(10, 0, 0), { action: 'set', quantity: 2 }, classic)).toEqual({
      error: 'limit_reached',
      limit: 1,
    })
  })

  it('refuses past the cap per session first, then past what is available, then past the cap per address', () => {
    const rules = { maxPerSession: 5, maxPerAddress: 6 }
    expect(decideLine(line(3, 0, 0), { action: 'set', quantity: 6 }, rules)).toEqual({
      error: 'limit_reached',
      limit: 5,
    })
    expect(decideLine(line(10, 7, 1), { action: 'set', quantity: 5 }, rules)).toEqual({
      error: 'sold_out',
      available: 3,
    })
    expect(decideLine(line(10, 5, 1, 5), { action: 'set', quantity: 3 }, rules)).toEqual({
      error: 'address_limit',
      limit: 6,
    })
    expect(decideLine(line(10, 5, 1, 5), { action: 'set', quantity: 2 }, rules)).toEqual({ quantity: 2 })
  })

  it('always lets a line hold less, even past a cap that was lowered or stock that was cut', () => {
    expect(decideLine(line(2, 9, 9), { action: 'set', quantity: 8 }, { maxPerSession: 1 })).toEqual({ quantity: 8 })
    expect(decideLine(line(2, 9, 9), { action: 'remove' }, { maxPerSession: 1 })).toEqual({ quantity: 0 })
  })
})
