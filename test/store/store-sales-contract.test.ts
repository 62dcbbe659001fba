import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import type { CatalogChange } from '../../src/domain/catalog.js'
import { MAX_ON_HAND } from '../../src/domain/product.js'
import { UnknownProductError } from '../../src/domain/unknown-product-error.js'
import { IdempotencyKeyReusedError } from '../../src/store/idempotency-key-reused-error.js'
import type { CartCommand, StoreOptions } from '../../src/store/store.js'
import type { TestStore } from '../helpers/stores.js'
import { VERIFY_PAGE } from '../../src/store/verify-ledger.js'
import { products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { useStoreKinds } from '../helpers/stores.js'

const kinds = useStoreKinds()

const set = (session: string, sku: string, quantity: number): CartCommand => ({
  session,
  sku,
  request: { action: 'set', quantity },
})

/** Every movement of the ledger, read a page at a time as an admin would. */
async function wholeLedger(store: TestStore, sku?: string) {
  const movements = []
  for (let page; (page = await store.movements({ sku, after: movements.at(-1)?.seq ?? 0, limit: 7 })).length > 0;) {
    movements.push(...page)
  }
  return movements
}

describe.each(kinds)('$name store: checkout, the admin, the ledger', ({ name, open, openTwo }) => {
  const opened: TestStore[] = []
  afterEach(async () => {
    await Promise.all([...new Set(opened.splice(0))].map((store) => store.close()))
  })

  const clock = new ManualClock()
  clock.advance(1_800_000_000_000)
  const options = (more: StoreOptions = {}): StoreOptions => ({
    catalog: products(2, 5),
    rules: { maxPerSession: 5 },
    holds: { clock, ttlMs: 60_000 },
    ...more,
  })

  async function shop(more?: StoreOptions): Promise<TestStore> {
    const store = await open(options(more))
    opened.push(store)
    return store
  }

  async function twoProcesses(more?: StoreOptions): Promise<readonly [TestStore, TestStore]> {
    const stores = await openTwo(options(more))
    opened.push(...stores)
    return stores
  }

  /** Every session's line lapses: their units are back in stock, and the lines stay, unheld. */
  async function lapseEveryHold(store: TestStore): Promise<void> {
    clock.advance(60_000)
    await store.expireHolds()
  }

  it('sells a whole cart: onHand and held drop, available stays, the cart empties, listeners hear it', async () => {
    const store = await shop()
    const changes: CatalogChange[] = []
    store.onChange((change) => changes.push(change))
    await store.apply(set('s', 'sku-0', 2))
    await store.apply(set('s', 'sku-1', 1))
    const sold = await store.checkout('s', 'key-1')
    expect(sold).toEqual({
      ok: true,
      order: {
        id: expect.stringMatching(/^[\w-]{21}$/),
        session: 's',
        lines: [
          { sku: 'sku-0', name: 'Product 0', quantity: 2 },
          { sku: 'sku-1', name: 'Product 1', quantity: 1 },
        ],
        createdAt: clock.now(),
        status: 'placed',
      },
    })
    const catalog = await store.catalog()
    expect(catalog.version).toBe(3)
    expect(catalog.products.map(({ onHand, held, version }) => [onHand, held, version])).toEqual([
      [3, 0, 3],
      [4, 0, 3],
    ])
    expect((await store.cart('s')).lines).toEqual([])
    await eventually(() => changes.length === 3)
    expect(changes[2]).toEqual(catalog)
    if (!sold.ok) throw new Error('not sold')
    expect(await store.order(sold.order.id)).toEqual(sold.order)
    expect(await store.order('no-such-order')).toBeUndefined()
  })

  it('sells an order once under an idempotency key, and refuses the key for another session', async () => {
    const store = await shop()
    await store.apply(set('s', 'sku-0', 2))
    const first = await store.checkout('s', 'key-1')
    await store.apply(set('s', 'sku-0', 1))
    expect(await store.checkout('s', 'key-1')).toEqual({ ...first, replayed: true })
    await expect(store.checkout('t', 'key-1')).rejects.toThrow(IdempotencyKeyReusedError)
    expect((await store.catalog(['sku-0'])).products[0]).toMatchObject({ onHand: 3, held: 1 })
  })

  it("keeps the shoppers' idempotency keys apart from the admin's", async () => {
    const store = await shop()
    expect(await store.apply(set('a', 'sku-0', 1), 'same-key')).toMatchObject({ ok: true })
    expect(await store.adjust({ sku: 'sku-0', delta: 3, reason: 'delivery' }, 'same-key')).toMatchObject({
      ok: true,
      product: { onHand: 8 },
    })
    // Each side's key still gives its own first answer, and refuses another request.
    expect(await store.apply(set('a', 'sku-0', 1), 'same-key')).toMatchObject({ replayed: true })
    expect(await store.adjust({ sku: 'sku-0', delta: 3, reason: 'delivery' }, 'same-key')).toMatchObject({
      replayed: true,
    })
    await expect(store.checkout('a', 'same-key')).rejects.toThrow(IdempotencyKeyReusedError)
    await expect(store.releaseHold('sku-0', 'a', 'same-key')).rejects.toThrow(IdempotencyKeyReusedError)
    expect((await store.catalog(['sku-0'])).products[0]).toMatchObject({ onHand: 8, held: 1 })
  })

  it('refuses an empty cart, and a lapsed line whose units are gone, selling nothing of the cart', async () => {
    const store = await shop()
    expect(await store.checkout('nobody')).toEqual({ ok: false, error: 'cart_empty' })
    await store.apply(set('s', 'sku-0', 1))
    await store.apply(set('s', 'sku-1', 4))
    await lapseEveryHold(store)
    await store.apply(set('s', 'sku-0', 1))
    await store.apply(set('t', 'sku-1', 2))
    const before = await store.catalog()
    expect(await store.checkout('s')).toEqual({
      ok: false,
      error: 'insufficient_stock',
      lines: [{ sku: 'sku-1', quantity: 4, available: 3 }],
    })
    expect(await store.catalog()).toEqual(before)
    await store.apply(set('t', 'sku-1', 1))
    expect(await store.checkout('s')).toMatchObject({ ok: true, order: { lines: [{ quantity: 1 }, { quantity: 4 }] } })
    expect((await store.catalog()).products.map(({ onHand, held }) => [onHand, held])).toEqual([
      [4, 0],
      [1, 1],
    ])
  })

  it('creates, replaces and adjusts products as an admin, only as expected and never below what is held', async () => {
    const store = await shop()
    await store.apply(set('s', 'sku-0', 3))
    expect(await store.putProduct({ sku: 'sku-9', name: 'New', onHand: 7 }, 'put-1')).toEqual({
      ok: true,
      created: true,
      product: { sku: 'sku-9', name: 'New', onHand: 7, held: 0, version: 2 },
    })
    expect((await store.catalog()).products.map(({ sku }) => sku)).toEqual(['sku-0', 'sku-1', 'sku-9'])
    expect(await store.putProduct({ sku: 'sku-9', name: 'New', onHand: 7 }, 'put-1')).toMatchObject({
      replayed: true,
    })
    expect(await store.putProduct({ sku: 'sku-0', name: 'Renamed', onHand: 9, expected: 4 })).toEqual({
      ok: false,
      error: 'conflict',
      current: 5,
    })
    expect(await store.putProduct({ sku: 'sku-0', name: 'Renamed', onHand: 2 })).toEqual({
      ok: false,
      error: 'below_held',
      held: 3,
    })
    expect(await store.putProduct({ sku: 'sku-0', name: 'Renamed', onHand: 9, expected: 5 })).toMatchObject({
      ok: true,
      created: false,
      product: { name: 'Renamed', onHand: 9, held: 3, version: 3 },
    })
    expect(await store.adjust({ sku: 'sku-0', delta: -7, reason: 'count' })).toEqual({
      ok: false,
      error: 'below_held',
      held: 3,
    })
    expect(await store.adjust({ sku: 'sku-0', delta: -6, reason: 'count' }, 'adj-1')).toMatchObject({
      ok: true,
      product: { onHand: 3 },
    })
    expect(await store.adjust({ sku: 'sku-0', delta: -6, reason: 'count' }, 'adj-1')).toMatchObject({ replayed: true })
    await expect(store.adjust({ sku: 'sku-0', delta: -5, reason: 'count' }, 'adj-1')).rejects.toThrow(
      IdempotencyKeyReusedError,
    )
    await expect(store.adjust({ sku: 'nope', delta: 1, reason: 'count' })).rejects.toThrow(UnknownProductError)
    expect((await store.catalog(['sku-0'])).products[0]).toMatchObject({ onHand: 3, held: 3, version: 4 })
  })

  it('pages through the orders oldest first, ties by id, by status and by time', async () => {
    const store = await shop({ catalog: products(1, 50) })
    const start = clock.now()
    const ids: string[] = []
    for (const [session, later] of [
      ['a', 0],
      ['b', 1000],
      ['c', 0],
      ['d', 1000],
      ['e', 0],
    ] as const) {
      clock.advance(later)
      await store.apply({ session, sku: 'sku-0', request: { action: 'add' } })
      const sold = await store.checkout(session)
      if (!sold.ok) throw new Error('not sold')
      ids.push(sold.order.id)
    }
    const [a, b, c, d, e] = ids as [string, string, string, string, string]
    await store.cancelOrder(c)
    // a at start; b and c at +1 s; d and e at +2 s: each pair in the order of its ids.
    const pair = (x: string, y: string) => (x < y ? [x, y] : [y, x])
    const all = [a, ...pair(b, c), ...pair(d, e)]
    const idsOf = (orders: readonly { id: string }[]) => orders.map(({ id }) => id)
    expect(idsOf(await store.orders({ limit: 10 }))).toEqual(all)
    const first = await store.orders({ limit: 2 })
    expect(idsOf(first)).toEqual(all.slice(0, 2))
    expect(idsOf(await store.orders({ after: first[1]!.id, limit: 10 }))).toEqual(all.slice(2))
    expect(idsOf(await store.orders({ status: 'cancelled', limit: 10 }))).toEqual([c])
    expect(idsOf(await store.orders({ status: 'placed', limit: 10 }))).toEqual(all.filter((id) => id !== c))
    expect(idsOf(await store.orders({ from: start + 1000, to: start + 2000, limit: 10 }))).toEqual(pair(b, c))
    expect(await store.orders({ after: 'no-such-order', limit: 10 })).toEqual([])
    expect((await store.orders({ limit: 10 }))[2]).toEqual(await store.order(all[2]!))
  })

  it('adjusts only while onHand is what the caller expects', async () => {
    const store = await shop()
    const delivery = { sku: 'sku-0', delta: 4, reason: 'delivery' }
    expect(await store.adjust({ ...delivery, expected: 4 })).toEqual({ ok: false, error: 'conflict', current: 5 })
    expect(await store.adjust({ ...delivery, expected: 5 })).toMatchObject({ ok: true, product: { onHand: 9 } })
    expect(await store.movements({ sku: 'sku-0', after: 0, limit: 10 })).toHaveLength(2)
  })

  it("sells units made elsewhere out of what no cart holds, as a hold and a sale of the admin's, with its reason", async () => {
    const store = await shop()
    await store.apply({ session: 's', sku: 'sku-0', request: { action: 'set', quantity: 3 } })
    const till = { sku: 'sku-0', reason: 'till 3' }
    expect(await store.sell({ ...till, quantity: 3 })).toEqual({ ok: false, error: 'insufficient_stock', available: 2 })
    expect(await store.sell({ ...till, quantity: 2, expected: 4 })).toEqual({
      ok: false,
      error: 'conflict',
      current: 5,
    })
    expect(await store.sell({ ...till, quantity: 2, expected: 5 }, 'sale-1')).toMatchObject({
      ok: true,
      product: { onHand: 3, held: 3, version: 2 },
    })
    expect(await store.sell({ ...till, quantity: 2, expected: 5 }, 'sale-1')).toMatchObject({ replayed: true })
    expect(await store.sell({ ...till, quantity: 1 })).toEqual({ ok: false, error: 'insufficient_stock', available: 0 })
    const ledger = await store.movements({ sku: 'sku-0', after: 0, limit: 10 })
    expect(ledger.slice(-2)).toMatchObject([
      { kind: 'hold', quantity: 2, actor: 'admin', reason: 'till 3', idempotencyKey: 'sale-1', onHand: 5, held: 5 },
      { kind: 'sale', quantity: -2, actor: 'admin', reason: 'till 3', idempotencyKey: 'sale-1', onHand: 3, held: 3 },
    ])
    expect(await store.cart('s')).toMatchObject({ lines: [{ sku: 'sku-0', quantity: 3, lapsed: false }] })
    await expect(store.sell({ sku: 'nope', quantity: 1, reason: 'till' })).rejects.toThrow(UnknownProductError)
    expect(await store.verify()).toBeUndefined()
  })

  it('takes what no cart holds falls short of from the newest holds, each a take of the session whose hold it cut', async () => {
    const store = await shop({ catalog: products(1, 9) })
    const changes: CatalogChange[] = []
    store.onChange((change) => changes.push(change))
    await store.apply({ ...set('oldest', 'sku-0', 2), address: '10.0.0.1' })
    clock.advance(1000)
    await store.apply({ ...set('middle', 'sku-0', 3), address: '10.0.0.1' })
    clock.advance(1000)
    await store.apply(set('newest', 'sku-0', 2))
    const till = { sku: 'sku-0', reason: 'till 3', takeFromHolds: true }
    expect(await store.sell({ ...till, quantity: 10 })).toEqual({
      ok: false,
      error: 'insufficient_stock',
      available: 9,
    })
    const { version } = await store.catalog()
    const sold = await store.sell({ ...till, quantity: 6 }, 'sale-1')
    expect(sold).toMatchObject({
      ok: true,
      product: { onHand: 3, held: 3, version: version + 1, holdsTakenAt: version + 1 },
    })
    expect(await store.sell({ ...till, quantity: 6 }, 'sale-1')).toMatchObject({ replayed: true })
    await eventually(() => changes.length === 4)
    expect(changes[3]?.products).toEqual([sold.ok && sold.product])
    expect(await wholeLedger(store, 'sku-0')).toMatchObject([
      { kind: 'restock' },
      { kind: 'hold', actor: 'oldest' },
      { kind: 'hold', actor: 'middle' },
      { kind: 'hold', actor: 'newest' },
      { kind: 'hold', quantity: 2, actor: 'admin', reason: 'till 3', onHand: 9, held: 9 },
      { kind: 'sale', quantity: -2, actor: 'admin', reason: 'till 3', onHand: 7, held: 7 },
      { kind: 'take', quantity: -2, actor: 'newest', reason: 'till 3', idempotencyKey: 'sale-1', onHand: 5, held: 5 },
      { kind: 'take', quantity: -2, actor: 'middle', reason: 'till 3', idempotencyKey: 'sale-1', onHand: 3, held: 3 },
    ])
    expect((await store.cart('newest')).lines).toEqual([])
    expect(await store.cart('middle')).toMatchObject({ lines: [{ sku: 'sku-0', quantity: 1, lapsed: false }] })
    expect(await store.cart('oldest')).toMatchObject({ lines: [{ sku: 'sku-0', quantity: 2, lapsed: false }] })
    // The cut line keeps its hold's end and its address, which counts only what it holds now.
    const holds = await store.holds('sku-0')
    expect(holds.sort((a, b) => a.session.localeCompare(b.session))).toMatchObject([
      { session: 'middle', quantity: 1, until: clock.now() - 1000 + 60_000, address: '10.0.0.1' },
      { session: 'oldest', quantity: 2, until: clock.now() - 2000 + 60_000, address: '10.0.0.1' },
    ])
    expect(await store.verify()).toBeUndefined()
  })

  it('takes from no hold without takeFromHolds, nor while what no cart holds is enough', async () => {
    const store = await shop()
    await store.apply(set('s', 'sku-0', 3))
    expect(await store.sell({ sku: 'sku-0', quantity: 3, reason: 'till' })).toEqual({
      ok: false,
      error: 'insufficient_stock',
      available: 2,
    })
    const sold = await store.sell({ sku: 'sku-0', quantity: 2, reason: 'till', takeFromHolds: true })
    expect(sold).toMatchObject({ ok: true, product: { onHand: 3, held: 3 } })
    expect(sold.ok && sold.product.holdsTakenAt).toBeUndefined()
    expect(await store.cart('s')).toMatchObject({ lines: [{ sku: 'sku-0', quantity: 3 }] })
    expect(await store.verify()).toBeUndefined()
  })

  it('archives a product: no new holds, its lines let go and sold as ever, its ledger kept; and sells it again', async () => {
    const store = await shop()
    await store.apply({ session: 'a', sku: 'sku-0', request: { action: 'set', quantity: 3 } })
    const ledger = await store.movements({ after: 0, limit: 100 })
    const heard: CatalogChange[] = []
    store.onChange((change) => heard.push(change))

    const archived = await store.archive('sku-0', true, 'archive-1')
    expect(archived).toMatchObject({ ok: true, product: { sku: 'sku-0', archived: true, version: 2 } })
    expect(await store.archive('sku-0', true, 'archive-1')).toMatchObject({ replayed: true })
    expect(await store.archive('sku-0', true)).toMatchObject({ product: { version: 2 } })
    await eventually(() => heard.length === 1)
    expect(heard[0]!.products).toMatchObject([{ sku: 'sku-0', archived: true }])
    expect((await store.catalog(['sku-0'])).products[0]).toMatchObject({ archived: true })

    for (const request of [{ action: 'add' }, { action: 'set', quantity: 4 }] as const) {
      expect(await store.apply({ session: 'b', sku: 'sku-0', request })).toMatchObject({
        ok: false,
        refusal: { error: 'archived' },
      })
      expect(await store.apply({ session: 'a', sku: 'sku-0', request: { action: 'set', quantity: 4 } })).toMatchObject({
        ok: false,
        refusal: { error: 'archived' },
      })
    }
    expect(await store.apply({ session: 'a', sku: 'sku-0', request: { action: 'set', quantity: 2 } })).toMatchObject({
      ok: true,
      line: { quantity: 2 },
    })
    expect(await store.checkout('a')).toMatchObject({ ok: true, order: { lines: [{ sku: 'sku-0', quantity: 2 }] } })
    expect((await store.movements({ after: 0, limit: 100 })).slice(0, ledger.length)).toEqual(ledger)

    const sold = await store.archive('sku-0', false)
    expect(sold.product).not.toHaveProperty('archived')
    expect(await store.apply({ session: 'b', sku: 'sku-0', request: { action: 'add' } })).toMatchObject({ ok: true })
    await expect(store.archive('nope', true)).rejects.toThrow(UnknownProductError)
    expect(await store.verify()).toBeUndefined()
  })

  it('keeps onHand within MAX_ON_HAND on every path that raises it, and writes it exactly', async () => {
    const store = await shop()
    const refused = { ok: false, error: 'on_hand_limit', sku: 'sku-0', limit: MAX_ON_HAND }
    expect(await store.putProduct({ sku: 'sku-0', name: 'Product 0', onHand: MAX_ON_HAND + 1 })).toEqual({
      ...refused,
      onHand: 5,
    })
    expect(await store.putProduct({ sku: 'sku-0', name: 'Product 0', onHand: MAX_ON_HAND })).toMatchObject({
      product: { onHand: MAX_ON_HAND },
    })
    expect(await store.adjust({ sku: 'sku-0', delta: 1, reason: 'delivery' })).toEqual({
      ...refused,
      onHand: MAX_ON_HAND,
    })
    await store.apply(set('s', 'sku-0', 3))
    const sold = await store.checkout('s')
    if (!sold.ok) throw new Error('not sold')
    expect(await store.adjust({ sku: 'sku-0', delta: 3, reason: 'delivery' })).toMatchObject({
      ok: true,
      product: { onHand: MAX_ON_HAND },
    })
    const ledger = await wholeLedger(store)
    expect(await store.cancelOrder(sold.order.id)).toEqual({ ...refused, onHand: MAX_ON_HAND })
    // Refused, nothing moved: the counters, the order and the ledger are as they were.
    expect(await store.order(sold.order.id)).toMatchObject({ status: 'placed' })
    expect(await wholeLedger(store)).toEqual(ledger)
    expect(ledger.map(({ onHand }) => onHand)).toEqual([5, 5, MAX_ON_HAND, MAX_ON_HAND, MAX_ON_HAND - 3, MAX_ON_HAND])
    expect(await store.verify()).toBeUndefined()
  })

  it("lists a product's holds, releases one session's, and cancels an order back into onHand", async () => {
    const store = await shop()
    await store.apply(set('a', 'sku-0', 2))
    await store.apply(set('b', 'sku-0', 1))
    await lapseEveryHold(store)
    await store.apply(set('a', 'sku-0', 2))
    const holds = await store.holds('sku-0')
    expect(holds.sort((x, y) => x.session.localeCompare(y.session))).toEqual([
      { session: 'a', sku: 'sku-0', quantity: 2, until: clock.now() + 60_000, lapsed: false },
      { session: 'b', sku: 'sku-0', quantity: 1, until: clock.now(), lapsed: true },
    ])
    expect(await store.releaseHold('sku-0', 'a')).toMatchObject({ ok: true, released: 2, product: { held: 0 } })
    expect(await store.releaseHold('sku-0', 'a')).toEqual({ ok: false, error: 'no_hold' })
    expect(await store.releaseHold('sku-0', 'b')).toMatchObject({ ok: true, released: 0 })
    await expect(store.holds('nope')).rejects.toThrow(UnknownProductError)

    await store.apply(set('c', 'sku-1', 3))
    const sold = await store.checkout('c')
    if (!sold.ok) throw new Error('not sold')
    expect(await store.cancelOrder(sold.order.id, 'cancel-1')).toEqual({
      ok: true,
      order: { ...sold.order, status: 'cancelled' },
    })
    expect(await store.cancelOrder(sold.order.id, 'cancel-1')).toMatchObject({ replayed: true })
    expect(await store.cancelOrder(sold.order.id)).toEqual({ ok: false, error: 'already_cancelled' })
    expect(await store.cancelOrder('nope')).toEqual({ ok: false, error: 'order_not_found' })
    expect((await store.catalog(['sku-1'])).products[0]).toMatchObject({ onHand: 5, held: 0 })
    expect((await store.order(sold.order.id))?.status).toBe('cancelled')
  })

  it('writes every move of onHand or held to the ledger, with the counters after it, pageable by product', async () => {
    const store = await shop()
    await store.apply(set('s', 'sku-0', 2), 'k1')
    await store.apply(set('s', 'sku-1', 1))
    await store.apply(set('s', 'sku-1', 1))
    await store.adjust({ sku: 'sku-1', delta: 3, reason: 'delivery' })
    const sold = await store.checkout('s')
    if (!sold.ok) throw new Error('not sold')
    const time = clock.now()
    const movement = { time, orderId: null, idempotencyKey: null, reason: null }
    expect(await wholeLedger(store)).toEqual([
      {
        ...movement,
        seq: 1,
        sku: 'sku-0',
        kind: 'restock',
        quantity: 5,
        actor: 'admin',
        reason: 'catalog',
        onHand: 5,
        held: 0,
      },
      {
        ...movement,
        seq: 2,
        sku: 'sku-1',
        kind: 'restock',
        quantity: 5,
        actor: 'admin',
        reason: 'catalog',
        onHand: 5,
        held: 0,
      },
      {
        ...movement,
        seq: 3,
        sku: 'sku-0',
        kind: 'hold',
        quantity: 2,
        actor: 's',
        idempotencyKey: 'k1',
        onHand: 5,
        held: 2,
      },
      { ...movement, seq: 4, sku: 'sku-1', kind: 'hold', quantity: 1, actor: 's', onHand: 5, held: 1 },
      {
        ...movement,
        seq: 5,
        sku: 'sku-1',
        kind: 'restock',
        quantity: 3,
        actor: 'admin',
        reason: 'delivery',
        onHand: 8,
        held: 1,
      },
      {
        ...movement,
        seq: 6,
        sku: 'sku-0',
        kind: 'sale',
        quantity: -2,
        actor: 's',
        orderId: sold.order.id,
        onHand: 3,
        held: 0,
      },
      {
        ...movement,
        seq: 7,
        sku: 'sku-1',
        kind: 'sale',
        quantity: -1,
        actor: 's',
        orderId: sold.order.id,
        onHand: 7,
        held: 0,
      },
    ])
    expect((await wholeLedger(store, 'sku-1')).map(({ seq }) => seq)).toEqual([2, 4, 5, 7])
    expect(await store.movements({ after: 5, limit: 1 })).toMatchObject([{ seq: 6 }])
    expect(await store.movements({ after: 7, limit: 10 })).toEqual([])
    expect(await store.verify()).toBeUndefined()
  })

  it('verifies a long ledger a page at a time, with other work done between its pages', async () => {
    const store = await shop({ catalog: products(1, 0) })
    const movements = 2 * VERIFY_PAGE + VERIFY_PAGE / 2
    for (let i = 0; i < movements; i++) await store.adjust({ sku: 'sku-0', delta: 1, reason: 'delivery' })
    let turns = 0
    let verifying = true
    const countTurns = () => {
      if (!verifying) return
      turns++
      setImmediate(countTurns)
    }
    setImmediate(countTurns)
    const divergence = await store.verify()
    verifying = false
    expect(divergence).toBeUndefined()
    // The event loop went round between the three pages: a request arriving meanwhile is not kept waiting.
    expect(turns).toBeGreaterThanOrEqual(2)
    expect((await store.catalog()).products[0]).toMatchObject({ onHand: movements })
  })

  it('sells the last units once to checkouts racing from two processes, each lapsed line sold or refused whole', async () => {
    const stores = await twoProcesses({ catalog: products(1, 200), rules: { maxPerSession: 1 } })
    const sessions = Array.from({ length: 200 }, (_, i) => `s${i}`)
    await Promise.all(sessions.map((session, i) => stores[i % 2]!.apply(set(session, 'sku-0', 1))))
    await lapseEveryHold(stores[0])
    await stores[0].adjust({ sku: 'sku-0', delta: -195, reason: 'count' })
    const results = await Promise.all(sessions.map((session, i) => stores[i % 2]!.checkout(session)))
    const sold = results.filter((result) => result.ok)
    expect(sold).toHaveLength(5)
    expect(results.filter((result) => !result.ok && result.error === 'insufficient_stock')).toHaveLength(195)
    expect((await stores[1].catalog()).products[0]).toMatchObject({ onHand: 0, held: 0 })
    const sales = (await wholeLedger(stores[1])).filter(({ kind }) => kind === 'sale')
    expect(new Set(sales.map(({ orderId }) => orderId)).size).toBe(5)
    expect(await stores[1].verify()).toBeUndefined()
  })

  it('keeps the ledger and the counters in step under any sequence of operations', async () => {
    const sessions = ['a', 'b', 'c']
    const skus = ['sku-0', 'sku-1']
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        session: fc.constantFrom(...sessions),
        sku: fc.constantFrom(...skus),
        quantity: fc.nat(4),
      }),
      fc.record({ kind: fc.constant('checkout' as const), session: fc.constantFrom(...sessions) }),
      fc.record({
        kind: fc.constant('adjust' as const),
        sku: fc.constantFrom(...skus),
        delta: fc.integer({ min: -3, max: 3 }),
      }),
      fc.record({
        kind: fc.constant('release' as const),
        session: fc.constantFrom(...sessions),
        sku: fc.constantFrom(...skus),
      }),
      fc.record({ kind: fc.constant('cancel' as const), nth: fc.nat(5) }),
      fc.record({ kind: fc.constant('lapse' as const) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 30 }), async (operations) => {
        const store = await open(options({ catalog: products(2, 4), rules: { maxPerSession: 4 } }))
        try {
          const orders: string[] = []
          for (const op of operations) {
            if (op.kind === 'set') await store.apply(set(op.session, op.sku, op.quantity))
            else if (op.kind === 'adjust') await store.adjust({ sku: op.sku, delta: op.delta, reason: 'count' })
            else if (op.kind === 'release') await store.releaseHold(op.sku, op.session)
            else if (op.kind === 'lapse') await lapseEveryHold(store)
            else if (op.kind === 'cancel') {
              const id = orders[op.nth % Math.max(1, orders.length)]
              if (id !== undefined) await store.cancelOrder(id)
            } else {
              const sold = await store.checkout(op.session)
              if (sold.ok) orders.push(sold.order.id)
            }
          }
          expect(await store.verify()).toBeUndefined()
          for (const product of (await store.catalog()).products) {
            const held = (await store.holds(product.sku)).filter((line) => !line.lapsed)
            expect(product.held).toBe(held.reduce((sum, line) => sum + line.quantity, 0))
            expect(product.held).toBeLessThanOrEqual(product.onHand)
          }
        } finally {
          await store.close()
        }
      }),
      { numRuns: name === 'redis' ? 30 : 60 },
    )
  })
})
