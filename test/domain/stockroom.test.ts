import { beforeAll, describe, expect, it } from 'vitest'
import type { CartRules } from '../../src/domain/cart-rules.js'
import { replay } from '../../src/domain/movement.js'
import { DEFAULT_PRODUCT, type ProductDefinition } from '../../src/domain/product.js'
import { LAPSED_LINES_KEPT_MS, NEVER, Stockroom, type HoldEnd, type LineCommand } from '../../src/domain/stockroom.js'
import { UnknownProductError } from '../../src/domain/unknown-product-error.js'
import { MemoryState } from '../../src/store/memory-state.js'
import { classicCatalog, products } from '../helpers/catalogs.js'

/** A stockroom over a fresh state, seeded with `catalog` at instant 0. */
async function stockroomOf(catalog: readonly ProductDefinition[], rules: CartRules) {
  const state = new MemoryState()
  const room = new Stockroom(state, rules)
  await room.seed(catalog, 0)
  const set = (session: string, sku: string, quantity: number, until: HoldEnd = NEVER, now = 0) =>
    room.apply({ session, sku, request: { action: 'set', quantity } }, until, now)
  return { state, room, set, ledger: () => state.movements(0, Number.POSITIVE_INFINITY) }
}

describe('Stockroom', () => {
  it('starts every product of the catalog with nothing held, at version 0, in catalog order, each restocked', async () => {
    const { state, ledger } = await stockroomOf(products(3, 4), { maxPerSession: 1 })
    expect(state.version()).toBe(0)
    expect(state.products()).toEqual([
      { sku: 'sku-0', name: 'Product 0', onHand: 4, held: 0, version: 0 },
      { sku: 'sku-1', name: 'Product 1', onHand: 4, held: 0, version: 0 },
      { sku: 'sku-2', name: 'Product 2', onHand: 4, held: 0, version: 0 },
    ])
    expect(ledger().map(({ seq, sku, kind, quantity, onHand }) => [seq, sku, kind, quantity, onHand])).toEqual([
      [1, 'sku-0', 'restock', 4, 4],
      [2, 'sku-1', 'restock', 4, 4],
      [3, 'sku-2', 'restock', 4, 4],
    ])
  })

  it('puts units in a line, moves the version by one, stamps the product with it, and records the hold', async () => {
    const { room, ledger } = await stockroomOf(products(2), { maxPerSession: 5 })
    const command: LineCommand = { session: 's', sku: 'sku-1', request: { action: 'set', quantity: 3 } }
    const outcome = await room.apply(command, 1000, 7, 'key-1')
    const product = { sku: 'sku-1', name: 'Product 1', onHand: 10, held: 3, version: 1, nextLapse: 1000 }
    expect(outcome).toEqual({
      ok: true,
      line: { sku: 'sku-1', quantity: 3, until: 1000, lapsed: false },
      product,
      changed: [product],
    })
    expect((await room.product('sku-0')).version).toBe(0)
    expect(await room.linesOf('s')).toEqual([{ sku: 'sku-1', quantity: 3, until: 1000, lapsed: false }])
    expect(ledger().at(-1)).toEqual({
      seq: 3,
      time: 7,
      sku: 'sku-1',
      kind: 'hold',
      quantity: 3,
      actor: 's',
      orderId: null,
      idempotencyKey: 'key-1',
      reason: null,
      onHand: 10,
      held: 3,
    })
  })

  it('renews a hold without a movement when the quantity stays, a change only where it moves the next lapse', async () => {
    const { state, room, ledger } = await stockroomOf(classicCatalog(), { maxPerSession: 1 })
    const add = (session: string, until: number) =>
      room.apply({ session, sku: 'default', request: { action: 'add' } }, until, 0)
    await add('s', 1000)
    expect(await add('t', 3000)).toMatchObject({ changed: [{ held: 2, version: 2, nextLapse: 1000 }] })
    expect(await add('t', 5000)).toMatchObject({ ok: true, changed: [], line: { quantity: 1, until: 5000 } })
    expect(state.version()).toBe(2)
    const renewed = await add('s', 6000)
    expect(renewed).toMatchObject({ ok: true, line: { quantity: 1, until: 6000 } })
    expect(renewed.product).toEqual({ ...DEFAULT_PRODUCT, held: 2, version: 3, nextLapse: 5000 })
    expect(renewed.ok && renewed.changed).toEqual([renewed.product])
    const removed = await room.apply({ session: 't', sku: 'default', request: { action: 'remove' } }, 9000, 0)
    expect(removed).toMatchObject({ ok: true, line: { quantity: 0, until: NEVER }, product: { nextLapse: 6000 } })
    expect(await room.linesOf('t')).toEqual([])
    expect(state.version()).toBe(4)
    expect(ledger().map(({ kind, quantity }) => [kind, quantity])).toEqual([
      ['restock', 10],
      ['hold', 1],
      ['hold', 1],
      ['release', -1],
    ])
  })

  it('refuses without changing anything', async () => {
    const { state, room, ledger } = await stockroomOf(classicCatalog(1), { maxPerSession: 1 })
    await room.apply({ session: 'a', sku: 'default', request: { action: 'add' } }, NEVER, 0)
    const refused = await room.apply({ session: 'b', sku: 'default', request: { action: 'add' } }, NEVER, 0)
    expect(refused).toMatchObject({ ok: false, error: 'sold_out', available: 0, product: { held: 1, version: 1 } })
    expect(state.version()).toBe(1)
    expect(await room.linesOf('b')).toEqual([])
    expect(ledger()).toHaveLength(2)
  })

  it('caps the units the sessions of one address hold together, and counts them off as holds end', async () => {
    const { room } = await stockroomOf(classicCatalog(), { maxPerSession: 2, maxPerAddress: 3 })
    const set = (session: string, quantity: number, until: HoldEnd = NEVER) =>
      room.apply({ session, sku: 'default', request: { action: 'set', quantity }, address: '10.0.0.1' }, until, 0)
    expect(await set('a', 2, 100)).toMatchObject({ ok: true })
    expect(await set('b', 2)).toMatchObject({ ok: false, error: 'address_limit', limit: 3 })
    expect(await set('b', 1)).toMatchObject({ ok: true })
    await room.expire(100)
    expect(await set('b', 2)).toMatchObject({ ok: true })
    expect(
      await room.apply({ session: 'c', sku: 'default', request: { action: 'add' }, address: '10.0.0.2' }, NEVER, 0),
    ).toMatchObject({ ok: true })
  })

  it('lapses every due hold at once, across products, as one change, each an expiry of its session, and keeps the lines unheld', async () => {
    const { room, set, ledger } = await stockroomOf(products(3), { maxPerSession: 3 })
    await set('a', 'sku-0', 2, 100)
    await set('b', 'sku-2', 3, 100)
    await set('b', 'sku-1', 1, 200)
    expect(await room.expire(99)).toEqual([])
    const changed = await room.expire(100)
    expect(changed.map(({ sku, held, version }) => [sku, held, version])).toEqual([
      ['sku-0', 0, 4],
      ['sku-2', 0, 4],
    ])
    expect(await room.linesOf('b')).toEqual([
      { sku: 'sku-1', quantity: 1, until: 200, lapsed: false },
      { sku: 'sku-2', quantity: 3, until: 100, lapsed: true },
    ])
    expect(
      ledger()
        .slice(-2)
        .map(({ sku, kind, quantity, actor }) => [sku, kind, quantity, actor]),
    ).toEqual([
      ['sku-0', 'expire', -2, 'a'],
      ['sku-2', 'expire', -3, 'b'],
    ])
    await room.expire(100 + LAPSED_LINES_KEPT_MS)
    expect(await room.linesOf('b')).toEqual([{ sku: 'sku-1', quantity: 1, until: 200, lapsed: true }])
    await room.expire(200 + LAPSED_LINES_KEPT_MS)
    expect(await room.linesOf('b')).toEqual([])
  })

  it('treats a lapsed line as holding nothing: any action on it holds afresh', async () => {
    const { room, set } = await stockroomOf(classicCatalog(3), { maxPerSession: 3 })
    await set('a', 'default', 2, 100)
    await room.expire(100)
    await set('b', 'default', 2)
    expect(await set('a', 'default', 2)).toMatchObject({ ok: false, error: 'sold_out', available: 1 })
    expect(await room.linesOf('a')).toEqual([{ sku: 'default', quantity: 2, until: 100, lapsed: true }])
    expect(await set('a', 'default', 1)).toMatchObject({ ok: true, product: { held: 3 } })
  })

  it('sells a whole cart at checkout: onHand and held drop, available stays, the cart empties', async () => {
    const { state, room, set, ledger } = await stockroomOf(products(2, 5), { maxPerSession: 5 })
    await set('s', 'sku-0', 2)
    await set('s', 'sku-1', 3)
    const outcome = await room.checkout('s', 'order-1', 50, 'key-9')
    expect(outcome).toMatchObject({
      ok: true,
      order: {
        id: 'order-1',
        session: 's',
        lines: [
          { sku: 'sku-0', name: 'Product 0', quantity: 2 },
          { sku: 'sku-1', name: 'Product 1', quantity: 3 },
        ],
        createdAt: 50,
        status: 'placed',
      },
    })
    expect(state.products().map(({ onHand, held, version }) => [onHand, held, version])).toEqual([
      [3, 0, 3],
      [2, 0, 3],
    ])
    expect(await room.linesOf('s')).toEqual([])
    expect(state.order('order-1')?.status).toBe('placed')
    expect(ledger().slice(-2)).toMatchObject([
      { kind: 'sale', quantity: -2, orderId: 'order-1', idempotencyKey: 'key-9', onHand: 3, held: 0 },
      { kind: 'sale', quantity: -3, orderId: 'order-1', idempotencyKey: 'key-9', onHand: 2, held: 0 },
    ])
  })

  it('sells a lapsed line if its units are still there, and else sells nothing of the cart', async () => {
    const { state, room, set } = await stockroomOf(products(2, 2), { maxPerSession: 2 })
    await set('s', 'sku-0', 1)
    await set('s', 'sku-1', 2, 100)
    await room.expire(100)
    await set('t', 'sku-1', 1)
    const before = state.products()
    expect(await room.checkout('s', 'o1', 200)).toEqual({
      ok: false,
      error: 'insufficient_stock',
      lines: [{ sku: 'sku-1', quantity: 2, available: 1 }],
    })
    expect(state.products()).toEqual(before)
    await set('t', 'sku-1', 0)
    expect(await room.checkout('s', 'o2', 300)).toMatchObject({ ok: true })
    expect(state.products().map(({ onHand, held }) => [onHand, held])).toEqual([
      [1, 0],
      [0, 0],
    ])
  })

  it('refuses to check out an empty cart', async () => {
    const { room } = await stockroomOf(classicCatalog(), { maxPerSession: 1 })
    expect(await room.checkout('nobody', 'o', 0)).toEqual({ ok: false, error: 'cart_empty' })
  })

  it('creates, renames and restocks a product; sets onHand only as expected and never below what is held', async () => {
    const { state, room, set } = await stockroomOf(classicCatalog(5), { maxPerSession: 5 })
    expect(await room.putProduct({ sku: 'new', name: 'New', onHand: 4 }, 0)).toMatchObject({
      ok: true,
      created: true,
      product: { sku: 'new', name: 'New', onHand: 4, held: 0, version: 1 },
    })
    expect(state.products().map(({ sku }) => sku)).toEqual(['default', 'new'])
    await set('s', 'default', 3)
    expect(await room.putProduct({ sku: 'default', name: 'X', onHand: 9, expected: 4 }, 0)).toEqual({
      ok: false,
      error: 'conflict',
      current: 5,
    })
    expect(await room.putProduct({ sku: 'default', name: 'X', onHand: 2 }, 0)).toEqual({
      ok: false,
      error: 'below_held',
      held: 3,
    })
    expect(await room.putProduct({ sku: 'default', name: 'X', onHand: 8, expected: 5 }, 0)).toMatchObject({
      ok: true,
      created: false,
      product: { name: 'X', onHand: 8, held: 3, version: 3 },
    })
    expect(await room.adjust({ sku: 'default', delta: -6, reason: 'count' }, 0)).toEqual({
      ok: false,
      error: 'below_held',
      held: 3,
    })
    expect(await room.adjust({ sku: 'default', delta: -5, reason: 'count' }, 0)).toMatchObject({
      ok: true,
      product: { onHand: 3 },
    })
    await expect(room.adjust({ sku: 'nope', delta: 1, reason: 'x' }, 0)).rejects.toThrow(UnknownProductError)
  })

  it("lets an admin release one session's hold, and cancel an order, its units back to onHand", async () => {
    const { state, room, set, ledger } = await stockroomOf(classicCatalog(5), { maxPerSession: 5 })
    await set('a', 'default', 2)
    await set('b', 'default', 1)
    expect(await room.releaseHold('default', 'a', 0)).toMatchObject({ ok: true, released: 2, product: { held: 1 } })
    expect(await room.releaseHold('default', 'a', 0)).toEqual({ ok: false, error: 'no_hold' })
    expect((await room.holdsOf('default')).map(({ session, quantity }) => [session, quantity])).toEqual([['b', 1]])
    await room.checkout('b', 'o1', 0)
    expect(await room.cancelOrder('o1', 0)).toMatchObject({ ok: true, order: { status: 'cancelled' } })
    expect(await room.cancelOrder('o1', 0)).toEqual({ ok: false, error: 'already_cancelled' })
    expect(await room.cancelOrder('o2', 0)).toEqual({ ok: false, error: 'order_not_found' })
    expect(await room.product('default')).toMatchObject({ onHand: 5, held: 0 })
    expect(ledger().at(-1)).toMatchObject({ kind: 'cancel', quantity: 1, actor: 'admin', orderId: 'o1' })
    expect(replay(ledger(), state.products())).toBeUndefined()
  })

  it('knows no product outside its catalog', async () => {
    const { room } = await stockroomOf(classicCatalog(), { maxPerSession: 1 })
    await expect(room.product('nope')).rejects.toThrow(UnknownProductError)
    await expect(room.apply({ session: 's', sku: 'nope', request: { action: 'add' } }, NEVER, 0)).rejects.toThrow(
      UnknownProductError,
    )
  })
})

describe('replay', () => {
  let shop: Awaited<ReturnType<typeof stockroomOf>>
  const ledger = () => shop.ledger()
  const counters = () => shop.state.products()
  beforeAll(async () => {
    shop = await stockroomOf(products(2), { maxPerSession: 5 })
    await shop.set('a', 'sku-0', 2)
    await shop.set('b', 'sku-1', 4)
  })

  it('finds a ledger that agrees with itself and the counters', async () => {
    expect(replay(ledger(), counters())).toBeUndefined()
  })

  it('finds the first movement that disagrees with the ones before it', async () => {
    const tampered = ledger().map((movement) => (movement.seq === 3 ? { ...movement, held: 3 } : movement))
    expect(replay(tampered, counters())).toEqual({
      sku: 'sku-0',
      seq: 3,
      replayed: { onHand: 10, held: 2 },
      recorded: { onHand: 10, held: 3 },
    })
  })

  it('finds a missing movement, and counters that no movement explains', async () => {
    expect(
      replay(
        ledger().filter(({ seq }) => seq !== 2),
        counters(),
      ),
    ).toMatchObject({ seq: 3 })
    const products = counters().map((product) => (product.sku === 'sku-1' ? { ...product, held: 5 } : product))
    expect(replay(ledger(), products)).toEqual({
      sku: 'sku-1',
      replayed: { onHand: 10, held: 4 },
      recorded: { onHand: 10, held: 5 },
    })
  })
})
