import { describe, expect, it } from 'vitest'
import { StockDisplay, type StockDisplayMode } from '../../src/domain/stock-display.js'

const stock = (onHand: number, held = 0, nextLapse?: number) => ({
  onHand,
  held,
  ...(nextLapse !== undefined && { nextLapse }),
})
const display = (mode: StockDisplayMode, showsHolds = false) => new StockDisplay({ mode, lowAt: 3, showsHolds })

describe('StockDisplay', () => {
  it('puts a product in stock above LOW_STOCK_AT, low at or under it, and sold out at none left', () => {
    expect([5, 4, 3, 1, 0].map((left) => display('level').levelOf(left))).toEqual([
      'in_stock',
      'in_stock',
      'low',
      'low',
      'sold_out',
    ])
  })

  it('shows every count when exact, what is left only once low when low, and no count when level', () => {
    const [high, low] = [stock(10, 2, 5000), stock(10, 8)]
    expect(display('exact').shown(high)).toEqual({ level: 'in_stock', onHand: 10, held: 2, available: 8 })
    expect(display('low').shown(high)).toEqual({ level: 'in_stock' })
    expect(display('low').shown(low)).toEqual({ level: 'low', available: 2 })
    expect(display('level').shown(low)).toEqual({ level: 'low' })
  })

  it('shows what carts hold and when the next hold lapses, in every mode, where holds are shown', () => {
    const held = stock(10, 2, 5000)
    expect(display('exact', true).shown(held)).toEqual({
      level: 'in_stock',
      onHand: 10,
      held: 2,
      available: 8,
      nextLapse: 5000,
    })
    expect(display('level', true).shown(held)).toEqual({ level: 'in_stock', held: 2, nextLapse: 5000 })
    expect(display('low', true).shown(stock(10))).toEqual({ level: 'in_stock', held: 0 })
  })

  it('tells a change shoppers can see from one they cannot', () => {
    const level = display('level')
    expect(level.looksAlike(stock(10, 1), stock(10, 2))).toBe(true)
    expect(level.looksAlike(stock(10, 6), stock(10, 7))).toBe(false)
    expect(level.looksAlike(stock(10, 7), stock(10, 8))).toBe(true)
    expect(display('low').looksAlike(stock(10, 7), stock(10, 8))).toBe(false)
    expect(display('exact').looksAlike(stock(10, 1), stock(11, 2))).toBe(false)
    expect(display('exact').looksAlike(stock(10, 1, 1000), stock(10, 1, 2000))).toBe(true)
    expect(display('level', true).looksAlike(stock(10, 1, 1000), stock(10, 1, 2000))).toBe(false)
    expect(display('level', true).looksAlike(stock(10, 1), stock(10, 2))).toBe(false)
    // A take sells held units: nothing shoppers see of the counts moves, but the clients of those holds must hear.
    expect(level.looksAlike(stock(10, 4), { ...stock(8, 2), holdsTakenAt: 7 })).toBe(false)
    expect(level.shown({ ...stock(8, 2), holdsTakenAt: 7 })).toEqual({ level: 'in_stock', holdsTakenAt: 7 })
  })
})
