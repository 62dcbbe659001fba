import { describe, expect, it } from 'vitest'
import { NEVER, Stockroom } from '../../src/domain/stockroom.js'
import { UnknownProductError } from '../../src/domain/unknown-product-error.js'
import { classicCatalog, products } from '../helpers/catalogs.js'

describe('Stockroom', () => {
  it('starts every product of the catalog with nothing held, at version 0, in catalog order', () => {
    const room = new Stockroom(products(3, 4), { maxPerSession: 1 })
    expect(room.version).toBe(0)
    expect(room.products()).toEqual([
      { sku: 'sku-0', name: 'Product 0', onHand: 4, held: 0, version: 0 },
      { sku: 'sku-1', name: 'Product 1', onHand: 4, held: 0, version: 0 },
      { sku: 'sku-2', name: 'Product 2', onHand: 4, held: 0, version: 0 },
    ])
  })

  it('puts units in a line, moves the version by one, and stamps the product with it', () => {
    const room = new Stockroom(products(2), { maxPerSession: 5 })
    const outcome = room.apply({ session: 's', sku: 'sku-1', request: { action: 'set', quantity: 3 } }, 1000)
    expect(outcome).toEqual({
      ok: true,
      changed: true,
      line: { sku: 'sku-1', quantity: 3, until: 1000 },
      product: { sku: 'sku-1', name: 'Product 1', onHand: 10, held: 3, version: 1 },
    })
    expect(room.product('sku-0').version).toBe(0)
    expect(room.linesOf('s')).toEqual([{ sku: 'sku-1', quantity: 3, until: 1000 }])
  })

  it('renews a hold without a change when the quantity stays, and drops a line set to 0', () => {
    const room = new Stockroom(classicCatalog(), { maxPerSession: 1 })
    room.apply({ session: 's', sku: 'default', request: { action: 'add' } }, 1000)
    const renewed = room.apply({ session: 's', sku: 'default', request: { action: 'add' } }, 5000)
    expect(renewed).toMatchObject({ ok: true, changed: false, line: { quantity: 1, until: 5000 } })
    expect(room.version).toBe(1)
    const removed = room.apply({ session: 's', sku: 'default', request: { action: 'remove' } }, 9000)
    expect(removed).toMatchObject({ ok: true, changed: true, line: { quantity: 0, until: NEVER } })
    expect(room.linesOf('s')).toEqual([])
    expect(room.version).toBe(2)
  })

  it('refuses without changing anything', () => {
    const room = new Stockroom(classicCatalog(1), { maxPerSession: 1 })
    room.apply({ session: 'a', sku: 'default', request: { action: 'add' } }, NEVER)
    const refused = room.apply({ session: 'b', sku: 'default', request: { action: 'add' } }, NEVER)
    expect(refused).toMatchObject({ ok: false, error: 'sold_out', available: 0, product: { held: 1, version: 1 } })
    expect(room.version).toBe(1)
    expect(room.linesOf('b')).toEqual([])
  })

  it('caps the units the sessions of one address hold together, and counts them off as holds end', () => {
    const room = new Stockroom(classicCatalog(), { maxPerSession: 2, maxPerAddress: 3 })
    const set = (session: string, quantity: number, until = NEVER) =>
      room.apply({ session, sku: 'default', request: { action: 'set', quantity }, address: '10.0.0.1' }, until)
    expect(set('a', 2, 100)).toMatchObject({ ok: true })
    expect(set('b', 2)).toMatchObject({ ok: false, error: 'address_limit', limit: 3 })
    expect(set('b', 1)).toMatchObject({ ok: true })
    room.expire(100)
    expect(set('b', 2)).toMatchObject({ ok: true })
    expect(
      room.apply({ session: 'c', sku: 'default', request: { action: 'add' }, address: '10.0.0.2' }, NEVER),
    ).toMatchObject({ ok: true })
  })

  it('returns every lapsed hold at once, across products, as one change', () => {
    const room = new Stockroom(products(3), { maxPerSession: 3 })
    room.apply({ session: 'a', sku: 'sku-0', request: { action: 'set', quantity: 2 } }, 100)
    room.apply({ session: 'b', sku: 'sku-2', request: { action: 'set', quantity: 3 } }, 100)
    room.apply({ session: 'b', sku: 'sku-1', request: { action: 'set', quantity: 1 } }, 200)
    expect(room.expire(99)).toEqual([])
    const changed = room.expire(100)
    expect(changed.map(({ sku, held, version }) => [sku, held, version])).toEqual([
      ['sku-0', 0, 4],
      ['sku-2', 0, 4],
    ])
    expect(room.linesOf('b')).toEqual([{ sku: 'sku-1', quantity: 1, until: 200 }])
  })

  it('knows no product outside its catalog', () => {
    const room = new Stockroom(classicCatalog(), { maxPerSession: 1 })
    expect(() => room.product('nope')).toThrow(UnknownProductError)
    expect(() => room.apply({ session: 's', sku: 'nope', request: { action: 'add' } }, NEVER)).toThrow(
      UnknownProductError,
    )
  })
})
