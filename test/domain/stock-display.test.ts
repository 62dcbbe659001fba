import { describe, expect, it } from 'vitest'
import { StockDisplay } from '../../src/domain/stock-display.js'

const stock = (onHand: number, held = 0) => ({ onHand, held })

describe('StockDisplay', () => {
  it('puts a product in stock above LOW_STOCK_AT, low at or under it, and sold out at none left', () => {
    const display = new StockDisplay('level', 3)
    expect([5, 4, 3, 1, 0].map((left) => display.levelOf(left))).toEqual([
      'in_stock',
      'in_stock',
      'low',
      'low',
      'sold_out',
    ])
  })

  it('shows every count when exact, what is left only once low when low, and no count when level', () => {
    const [high, low] = [stock(10, 2), stock(10, 8)]
    expect(new StockDisplay('exact', 3).shown(high)).toEqual({ level: 'in_stock', onHand: 10, held: 2, available: 8 })
    expect(new StockDisplay('low', 3).shown(high)).toEqual({ level: 'in_stock' })
    expect(new StockDisplay('low', 3).shown(low)).toEqual({ level: 'low', available: 2 })
    expect(new StockDisplay('level', 3).shown(low)).toEqual({ level: 'low' })
  })

  it('tells a change shoppers can see from one they cannot', () => {
    const level = new StockDisplay('level', 3)
    expect(level.looksAlike(stock(10, 1), stock(10, 2))).toBe(true)
    expect(level.looksAlike(stock(10, 6), stock(10, 7))).toBe(false)
    expect(level.looksAlike(stock(10, 7), stock(10, 8))).toBe(true)
    expect(new StockDisplay('low', 3).looksAlike(stock(10, 7), stock(10, 8))).toBe(false)
    expect(new StockDisplay('exact', 3).looksAlike(stock(10, 1), stock(11, 2))).toBe(false)
  })
})
