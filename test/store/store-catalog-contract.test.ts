import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { CatalogChange } from '../../src/domain/catalog.js'
import type { CartRequest } from '../../src/domain/cart-rules.js'
import { UnknownProductError } from '../../src/domain/unknown-product-error.js'
import { IdempotencyKeyReusedError } from '../../src/store/idempotency-key-reused-error.js'
import type { CartCommand, StoreOptions } from '../../src/store/store.js'
import type { TestStore } from '../helpers/stores.js'
import { products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { anyEpoch } from '../helpers/stock.js'
import { useStoreKinds } from '../helpers/stores.js'

const kinds = useStoreKinds()

const set = (session: string, sku: string, quantity: number, address?: string): CartCommand => ({
  session,
  sku,
  request: { action: 'set', quantity },
  ...(address !== undefined && { address }),
})
const act = (session: string, sku: string, request: CartRequest): CartCommand => ({ session, sku, request })

describe.each(kinds)('$name store, as a catalog', ({ open }) => {
  const opened: TestStore[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()))
  })

  async function shop(options: StoreOptions = {}): Promise<TestStore> {
    const store = await open({ catalog: products(3, 5), rules: { maxPerSession: 3 }, ...options })
    opened.push(store)
    return store
  }

  function recordChanges(store: TestStore): CatalogChange[] {
    const changes: CatalogChange[] = []
    store.onChange((change) => changes.push(change))
    return changes
  }

  it('lists every product in catalog order, nothing held, at version 0; or those asked for, in that order', async () => {
    const store = await shop()
    const catalog = await store.catalog()
    expect(catalog).toEqual({
      epoch: anyEpoch,
      version: 0,
      products: [0, 1, 2].map((i) => ({ sku: `sku-${i}`, name: `Product ${i}`, onHand: 5, held: 0, version: 0 })),
    })
    const some = await store.catalog(['sku-2', 'sku-0'])
    expect(some.products.map(({ sku }) => sku)).toEqual(['sku-2', 'sku-0'])
    expect(some.epoch).toBe(catalog.epoch)
  })

  it('knows no product outside its catalog, wherever one is named, and changes nothing', async () => {
    const store = await shop()
    await expect(store.catalog(['sku-0', 'nope'])).rejects.toThrow(UnknownProductError)
    await expect(store.apply(set('s', 'nope', 1))).rejects.toThrow(UnknownProductError)
    expect((await store.catalog()).version).toBe(0)
  })

  it('holds exactly the quantity set, and tells listeners of only the product that changed, at the new version', async () => {
    const store = await shop()
    const changes = recordChanges(store)
    expect(await store.apply(set('s', 'sku-1', 2))).toEqual({
      epoch: anyEpoch,
      version: 1,
      ok: true,
      line: {
        sku: 'sku-1',
        quantity: 2,
        holdUntil: null,
        lapsed: false,
        product: { sku: 'sku-1', name: 'Product 1', onHand: 5, held: 2, version: 1 },
      },
    })
    await store.apply(set('s', 'sku-1', 3))
    expect(await store.apply(act('s', 'sku-1', { action: 'add' }))).toMatchObject({ version: 2, line: { quantity: 3 } })
    await store.apply(set('s', 'sku-1', 0))
    await eventually(() => changes.length === 3)
    expect(changes.map(({ version, products }) => [version, products.map(({ sku, held }) => [sku, held])])).toEqual([
      [1, [['sku-1', 2]]],
      [2, [['sku-1', 3]]],
      [3, [['sku-1', 0]]],
    ])
    const catalog = await store.catalog()
    expect(catalog.products.map(({ version }) => version)).toEqual([0, 3, 0])
  })

  it('refuses past the cap per session and past what is available, with the figure, changing nothing', async () => {
    const store = await shop()
    expect(await store.apply(set('a', 'sku-0', 4))).toMatchObject({
      ok: false,
      refusal: { error: 'limit_reached', limit: 3 },
      product: { held: 0 },
    })
    await store.apply(set('a', 'sku-0', 3))
    expect(await store.apply(set('b', 'sku-0', 3))).toMatchObject({
      ok: false,
      refusal: { error: 'sold_out', available: 2 },
      product: { onHand: 5, held: 3 },
    })
    expect(await store.apply(set('b', 'sku-0', 2))).toMatchObject({ ok: true, line: { quantity: 2 } })
    expect(await store.apply(act('c', 'sku-0', { action: 'add' }))).toMatchObject({
      ok: false,
      refusal: { error: 'sold_out', available: 0 },
    })
    expect((await store.catalog(['sku-0'])).products[0]).toMatchObject({ held: 5, version: 2 })
  })

  it("lists a session's lines in catalog order, each with its product's stock and its hold's end", async () => {
    const clock = new ManualClock()
    clock.advance(1_800_000_000_000)
    const store = await shop({ holds: { clock, ttlMs: 60_000 } })
    await store.apply(set('s', 'sku-2', 1))
    clock.advance(1000)
    await store.apply(set('s', 'sku-0', 2))
    await store.apply(set('other', 'sku-1', 1))
    const cart = await store.cart('s')
    expect(cart).toEqual({
      epoch: anyEpoch,
      version: 3,
      lines: [
        {
          sku: 'sku-0',
          quantity: 2,
          holdUntil: 1_800_000_061_000,
          lapsed: false,
          product: expect.objectContaining({ sku: 'sku-0', held: 2 }),
        },
        {
          sku: 'sku-2',
          quantity: 1,
          holdUntil: 1_800_000_060_000,
          lapsed: false,
          product: expect.objectContaining({ sku: 'sku-2', held: 1 }),
        },
      ],
    })
    expect(await store.cart('nobody')).toEqual({ epoch: anyEpoch, version: 3, lines: [] })
  })

  it('returns each lapsed line to stock, across products, as one change, renewed lines staying', async () => {
    const clock = new ManualClock()
    clock.advance(1_800_000_000_000)
    const store = await shop({ holds: { clock, ttlMs: 60_000 } })
    const changes = recordChanges(store)
    await store.apply(set('a', 'sku-0', 2))
    await store.apply(set('a', 'sku-2', 1))
    await store.apply(set('b', 'sku-0', 1))
    clock.advance(30_000)
    await store.apply(act('b', 'sku-0', { action: 'add' }))
    clock.advance(30_000)
    await store.expireHolds()
    await eventually(() => changes.length === 4)
    expect(changes[3]).toEqual({
      epoch: anyEpoch,
      version: 4,
      products: [
        expect.objectContaining({ sku: 'sku-0', held: 1, version: 4 }),
        expect.objectContaining({ sku: 'sku-2', held: 0, version: 4 }),
      ],
    })
    await store.expireHolds()
    expect((await store.catalog()).version).toBe(4)
    // Lapsed, not gone: a checkout still sells them if their units are there.
    expect((await store.cart('a')).lines).toMatchObject([
      { sku: 'sku-0', quantity: 2, lapsed: true, holdUntil: null },
      { sku: 'sku-2', quantity: 1, lapsed: true, holdUntil: null },
    ])
    expect((await store.cart('b')).lines).toMatchObject([{ sku: 'sku-0', quantity: 1, lapsed: false }])
  })

  it("keeps when each product's next hold lapses, and tells listeners when it moves, a renewal alone included", async () => {
    const clock = new ManualClock()
    const start = 1_800_000_000_000
    clock.advance(start)
    const store = await shop({ holds: { clock, ttlMs: 60_000 } })
    const changes = recordChanges(store)
    const first = async () => (await store.catalog(['sku-0'])).products[0]
    const moveTo = (seconds: number) => clock.advance(start + seconds * 1000 - clock.now())
    const at = async (seconds: number, session: string) => {
      moveTo(seconds)
      return store.apply(set(session, 'sku-0', 1))
    }
    await at(0, 'a')
    await at(10, 'b')
    expect(await first()).toEqual({
      sku: 'sku-0',
      name: 'Product 0',
      onHand: 5,
      held: 2,
      version: 2,
      nextLapse: start + 60_000,
    })
    expect((await store.catalog(['sku-1'])).products[0]).not.toHaveProperty('nextLapse')
    // b's hold lapses after a's: its renewal moves nothing anyone sees.
    await at(20, 'b')
    expect((await store.catalog()).version).toBe(2)
    // a's renewal leaves b's first: a change, with no unit moved.
    const renewed = await at(30, 'a')
    expect(renewed).toMatchObject({
      ok: true,
      version: 3,
      line: { product: { held: 2, version: 3, nextLapse: start + 80_000 } },
    })
    await eventually(() => changes.length === 3)
    expect(changes[2]).toEqual({ epoch: anyEpoch, version: 3, products: [{ ...(await first()), version: 3 }] })
    moveTo(80)
    await store.expireHolds()
    expect(await first()).toMatchObject({ held: 1, version: 4, nextLapse: start + 90_000 })
    expect(await store.checkout('a')).toMatchObject({ ok: true })
    expect(await first()).toEqual({ sku: 'sku-0', name: 'Product 0', onHand: 4, held: 0, version: 5 })
  })

  it('acts once under an idempotency key for a set, and refuses the key for another quantity', async () => {
    const store = await shop()
    const first = await store.apply(set('s', 'sku-0', 2), 'key-1')
    await store.apply(set('s', 'sku-0', 1))
    expect(await store.apply(set('s', 'sku-0', 2), 'key-1')).toEqual({ ...first, replayed: true })
    await expect(store.apply(set('s', 'sku-0', 3), 'key-1')).rejects.toThrow(IdempotencyKeyReusedError)
    await expect(store.apply(set('s', 'sku-1', 2), 'key-1')).rejects.toThrow(IdempotencyKeyReusedError)
    expect((await store.cart('s')).lines).toMatchObject([{ sku: 'sku-0', quantity: 1 }])
  })

  it('caps the units the sessions of one address hold of a product, when told to', async () => {
    const clock = new ManualClock()
    clock.advance(1_800_000_000_000)
    const store = await shop({ rules: { maxPerSession: 3, maxPerAddress: 4 }, holds: { clock, ttlMs: 1000 } })
    expect(await store.apply(set('a', 'sku-0', 3, '10.0.0.1'))).toMatchObject({ ok: true })
    expect(await store.apply(set('b', 'sku-0', 2, '10.0.0.1'))).toMatchObject({
      ok: false,
      refusal: { error: 'address_limit', limit: 4 },
    })
    expect(await store.apply(set('b', 'sku-0', 1, '10.0.0.1'))).toMatchObject({ ok: true })
    expect(await store.apply(set('b', 'sku-1', 3, '10.0.0.1'))).toMatchObject({ ok: true })
    expect(await store.apply(set('c', 'sku-0', 1, '10.0.0.2'))).toMatchObject({ ok: true })
    await store.apply(set('a', 'sku-0', 0, '10.0.0.1'))
    expect(await store.apply(set('b', 'sku-0', 3, '10.0.0.1'))).toMatchObject({ ok: true })
    clock.advance(1000)
    await store.expireHolds()
    expect(await store.apply(set('d', 'sku-0', 3, '10.0.0.1'))).toMatchObject({ ok: true })
  })

  it('never sells past onHand to racing sets of random quantities from many sessions', async () => {
    const store = await shop({ catalog: products(2, 20), rules: { maxPerSession: 5 } })
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        store.apply(set(`s${i % 30}`, `sku-${i % 2}`, Math.floor(Math.random() * 6))),
      ),
    )
    expect(results.every((result) => result.ok || result.refusal.error === 'sold_out')).toBe(true)
    await sleep(20)
    for (const product of (await store.catalog()).products) {
      expect(product.held).toBeLessThanOrEqual(20)
      let lines = 0
      for (let s = 0; s < 30; s++) {
        lines += (await store.cart(`s${s}`)).lines.find((line) => line.sku === product.sku)?.quantity ?? 0
      }
      expect(lines).toBe(product.held)
    }
  })

  it('serves a catalog of 10 000 products: lists them, and changes one of them', async () => {
    const store = await shop({ catalog: products(10_000, 3) })
    const catalog = await store.catalog()
    expect(catalog.products).toHaveLength(10_000)
    expect(catalog.products.at(-1)).toMatchObject({ sku: 'sku-9999', onHand: 3, held: 0 })
    expect(await store.apply(set('s', 'sku-9999', 2))).toMatchObject({ ok: true, version: 1 })
    expect((await store.catalog(['sku-9999'])).products[0]).toMatchObject({ held: 2, version: 1 })
    expect((await store.cart('s')).lines).toMatchObject([{ sku: 'sku-9999', quantity: 2 }])
  })
})
