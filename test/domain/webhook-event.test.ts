import { describe, expect, it } from 'vitest'
import type { Movement } from '../../src/domain/movement.js'
import { StockDisplay } from '../../src/domain/stock-display.js'
import { eventTypesOf } from '../../src/domain/webhook-event.js'

const levelOf = (available: number) => new StockDisplay({ mode: 'exact', lowAt: 5 }).levelOf(available)

let seq = 0
/** A movement of `kind` by `quantity`, leaving the counters at `onHand` and `held`. */
const movement = (
  kind: Movement['kind'],
  quantity: number,
  onHand: number,
  held: number,
  orderId: string | null = null,
): Movement => ({
  seq: ++seq,
  time: 1_000,
  sku: 'tee',
  kind,
  quantity,
  actor: kind === 'hold' || kind === 'release' || kind === 'sale' ? 'shopper' : 'admin',
  orderId,
  idempotencyKey: null,
  reason: null,
  onHand,
  held,
})

describe('the webhook events a movement gives rise to', () => {
  it('tells of a product selling out, coming back, and running low, as shoppers see what is left', () => {
    expect(eventTypesOf(movement('hold', 1, 10, 10), undefined, levelOf)).toEqual(['stock.sold_out'])
    expect(eventTypesOf(movement('release', -1, 10, 9), undefined, levelOf)).toEqual(['stock.back_in_stock'])
    expect(eventTypesOf(movement('hold', 4, 10, 5), undefined, levelOf)).toEqual(['stock.low'])
  })

  it('tells nothing of a move within one level', () => {
    expect(eventTypesOf(movement('hold', 1, 20, 1), undefined, levelOf)).toEqual([])
    expect(eventTypesOf(movement('hold', 1, 10, 6), undefined, levelOf)).toEqual([])
    expect(eventTypesOf(movement('release', -1, 20, 16), undefined, levelOf)).toEqual([])
  })

  it("tells of every admin's restock and adjustment, then of the level it crosses", () => {
    expect(eventTypesOf(movement('restock', 5, 5, 0), undefined, levelOf)).toEqual([
      'stock.adjusted',
      'stock.back_in_stock',
    ])
    expect(eventTypesOf(movement('adjust', -15, 5, 0), undefined, levelOf)).toEqual(['stock.adjusted', 'stock.low'])
    expect(eventTypesOf(movement('adjust', -1, 30, 0), undefined, levelOf)).toEqual(['stock.adjusted'])
  })

  it('tells of an order once, on the first of its lines, and of its cancel once', () => {
    const first = movement('sale', -1, 9, 0, 'order-1')
    const second = { ...movement('sale', -2, 8, 0, 'order-1'), sku: 'mug' }
    expect(eventTypesOf(first, movement('hold', 1, 10, 1), levelOf)).toEqual(['order.created'])
    expect(eventTypesOf(second, first, levelOf)).toEqual([])
    const cancel = movement('cancel', 1, 10, 0, 'order-1')
    expect(eventTypesOf(cancel, second, levelOf)).toEqual(['order.cancelled'])
    expect(eventTypesOf(movement('cancel', 2, 12, 0, 'order-1'), cancel, levelOf)).toEqual([])
  })

  it('tells of an order that follows another at once', () => {
    const first = movement('sale', -1, 9, 0, 'order-1')
    expect(eventTypesOf(movement('sale', -1, 8, 0, 'order-2'), first, levelOf)).toEqual(['order.created'])
  })

  it('tells of no order for a sale made elsewhere, which has none', () => {
    expect(eventTypesOf(movement('sale', -1, 19, 0), movement('hold', 1, 20, 1), levelOf)).toEqual([])
  })
})
