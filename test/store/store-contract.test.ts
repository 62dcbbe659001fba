import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { IdempotencyKeyReusedError } from '../../src/store/idempotency-key-reused-error.js'
import type { HoldPolicy } from '../../src/store/store.js'
import type { TestStore } from '../helpers/stores.js'
import { classicCatalog } from '../helpers/catalogs.js'
import { classicView, type ClassicSnapshot, type ClassicView } from '../helpers/classic-store.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { eventually } from '../helpers/eventually.js'
import { anyEpoch } from '../helpers/stock.js'
import { useStoreKinds } from '../helpers/stores.js'

const kinds = useStoreKinds()

describe.each(kinds)('$name store, as the classic one-product store', ({ open }) => {
  const opened: TestStore[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()))
  })

  async function storeWith(totalInventory: number, holds?: HoldPolicy): Promise<ClassicView> {
    const store = await open({ catalog: classicCatalog(totalInventory), ...(holds && { holds }) })
    opened.push(store)
    return classicView(store)
  }

  /** Every change the store reports; a store may report a change after `apply` resolves, so wait for it. */
  function recordChanges(store: ClassicView): ClassicSnapshot[] {
    const changes: ClassicSnapshot[] = []
    store.onChange((snapshot) => changes.push(snapshot))
    return changes
  }

  /** Gives a store that hears of changes asynchronously the time to report any still under way. */
  const settle = () => sleep(50)

  it('starts full at version 0', async () => {
    const store = await storeWith(10)
    expect(await store.snapshot()).toEqual({ inventoryCount: 10, totalInventory: 10, version: 0, epoch: anyEpoch })
  })

  it('keeps one epoch through every action, and a separate stock has another', async () => {
    const store = await storeWith(10)
    const { epoch } = await store.snapshot()
    const changes = recordChanges(store)
    const added = await store.apply('add', 'alice')
    await store.apply('remove', 'alice')
    await eventually(() => changes.length === 2)
    expect([added.snapshot.epoch, ...changes.map((change) => change.epoch)]).toEqual([epoch, epoch, epoch])
    expect((await (await storeWith(10)).snapshot()).epoch).not.toBe(epoch)
  })

  it('adds a unit to a session cart and tells listeners once', async () => {
    const store = await storeWith(10)
    const changes = recordChanges(store)
    const result = await store.apply('add', 'alice')
    expect(result).toEqual({
      ok: true,
      inCart: true,
      holdUntil: null,
      snapshot: { inventoryCount: 9, totalInventory: 10, version: 1, epoch: anyEpoch },
    })
    await eventually(() => changes.length === 1)
    expect(changes).toEqual([{ inventoryCount: 9, totalInventory: 10, version: 1, epoch: anyEpoch }])
    expect(await store.viewOf('alice')).toEqual({ inCart: true, holdUntil: null, snapshot: result.snapshot })
    expect(await store.viewOf('bob')).toEqual({ inCart: false, holdUntil: null, snapshot: result.snapshot })
  })

  it('changes nothing and tells nobody on a repeated add or a remove of nothing', async () => {
    const store = await storeWith(10)
    const changes = recordChanges(store)
    await store.apply('add', 'alice')
    await eventually(() => changes.length === 1)
    changes.length = 0
    expect(await store.apply('add', 'alice')).toMatchObject({ ok: true, inCart: true, snapshot: { version: 1 } })
    expect(await store.apply('remove', 'bob')).toMatchObject({ ok: true, inCart: false, snapshot: { version: 1 } })
    await settle()
    expect(changes).toEqual([])
  })

  it('answers sold_out past the last unit, with the stock unchanged', async () => {
    const store = await storeWith(2)
    const changes = recordChanges(store)
    await store.apply('add', 'a')
    await store.apply('add', 'b')
    await eventually(() => changes.length === 2)
    changes.length = 0
    expect(await store.apply('add', 'c')).toEqual({
      ok: false,
      error: 'sold_out',
      snapshot: { inventoryCount: 0, totalInventory: 2, version: 2, epoch: anyEpoch },
    })
    await settle()
    expect(changes).toEqual([])
    expect(await store.viewOf('c')).toMatchObject({ inCart: false })
  })

  it('returns a removed unit to stock', async () => {
    const store = await storeWith(1)
    await store.apply('add', 'a')
    expect(await store.apply('remove', 'a')).toEqual({
      ok: true,
      inCart: false,
      holdUntil: null,
      snapshot: { inventoryCount: 1, totalInventory: 1, version: 2, epoch: anyEpoch },
    })
    expect(await store.apply('add', 'b')).toMatchObject({ ok: true, snapshot: { inventoryCount: 0, version: 3 } })
  })

  it('tells listeners of every change in version order, and stops when asked', async () => {
    const store = await storeWith(10)
    const changes = recordChanges(store)
    const late: ClassicSnapshot[] = []
    const stop = store.onChange((snapshot) => late.push(snapshot))
    await store.apply('add', 'a')
    await eventually(() => late.length === 1)
    stop()
    await store.apply('add', 'b')
    await store.apply('remove', 'a')
    await eventually(() => changes.length === 3)
    expect(changes.map((change) => change.version)).toEqual([1, 2, 3])
    expect(late.map((change) => change.version)).toEqual([1])
  })

  it('answers check() while it can serve', async () => {
    const store = await storeWith(1)
    await expect(store.check()).resolves.toBeUndefined()
  })

  it('sells exactly the stock to concurrent adds', async () => {
    const store = await storeWith(10)
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.apply('add', `s${i}`)))
    expect(results.filter((result) => result.ok)).toHaveLength(10)
    expect(await store.snapshot()).toEqual({ inventoryCount: 0, totalInventory: 10, version: 10, epoch: anyEpoch })
  })

  describe('with an idempotency key', () => {
    it('acts once: a retry of the same action is given the first result, marked replayed, and changes nothing', async () => {
      const store = await storeWith(10)
      const changes = recordChanges(store)
      const first = await store.apply('add', 'alice', 'key-1')
      await store.apply('add', 'bob')
      const retry = await store.apply('add', 'alice', 'key-1')
      expect(first).not.toHaveProperty('replayed')
      expect(retry).toEqual({ ...first, replayed: true })
      // Once more after alice removed her unit: still the first result, and alice's cart stays empty.
      await store.apply('remove', 'alice')
      expect(await store.apply('add', 'alice', 'key-1')).toEqual({ ...first, replayed: true })
      await settle()
      expect(changes.map((change) => change.version)).toEqual([1, 2, 3])
      expect(await store.viewOf('alice')).toMatchObject({ inCart: false })
    })

    it('gives a sold-out result again to its retry, though a unit came back meanwhile', async () => {
      const store = await storeWith(1)
      await store.apply('add', 'alice')
      const first = await store.apply('add', 'bob', 'key-1')
      expect(first).toMatchObject({ ok: false, error: 'sold_out' })
      await store.apply('remove', 'alice')
      expect(await store.apply('add', 'bob', 'key-1')).toEqual({ ...first, replayed: true })
      expect(await store.viewOf('bob')).toMatchObject({ inCart: false })
    })

    it('refuses the key for another action with IdempotencyKeyReusedError, changing nothing', async () => {
      const store = await storeWith(10)
      await store.apply('add', 'alice', 'key-1')
      await expect(store.apply('remove', 'alice', 'key-1')).rejects.toThrow(IdempotencyKeyReusedError)
      await expect(store.apply('add', 'bob', 'key-1')).rejects.toThrow(IdempotencyKeyReusedError)
      expect(await store.snapshot()).toMatchObject({ inventoryCount: 9, version: 1 })
      expect(await store.viewOf('bob')).toMatchObject({ inCart: false })
    })

    it('acts once for many racing retries under one key', async () => {
      const store = await storeWith(10)
      const results = await Promise.all(Array.from({ length: 20 }, () => store.apply('add', 'alice', 'racing-key')))
      expect(results.filter((result) => !result.replayed)).toHaveLength(1)
      expect(await store.snapshot()).toMatchObject({ inventoryCount: 9, version: 1 })
    })

    it('keeps keys apart: each key acts once', async () => {
      const store = await storeWith(10)
      await store.apply('add', 'alice', 'key-1')
      await store.apply('remove', 'alice', 'key-2')
      expect(await store.apply('add', 'alice', 'key-3')).toMatchObject({ ok: true, inCart: true })
      expect(await store.snapshot()).toMatchObject({ version: 3 })
    })
  })

  describe('with holds that expire', () => {
    const TTL_MS = 60_000
    /** Far from 0, as real time is, so that an instant can never be mistaken for "no hold". */
    const START = 1_800_000_000_000

    async function timedStore(totalInventory = 10) {
      const clock = new ManualClock()
      clock.advance(START)
      return { clock, store: await storeWith(totalInventory, { clock, ttlMs: TTL_MS }) }
    }

    it('tells a holding session when its hold ends, and renews it on any action of the session', async () => {
      const { clock, store } = await timedStore()
      expect(await store.apply('add', 'alice')).toMatchObject({ inCart: true, holdUntil: START + TTL_MS })
      clock.advance(10_000)
      expect(await store.apply('add', 'alice')).toMatchObject({ inCart: true, holdUntil: START + 10_000 + TTL_MS })
      expect(await store.viewOf('alice')).toMatchObject({ inCart: true, holdUntil: START + 10_000 + TTL_MS })
      // The renewal moved when the product's next hold lapses: a change, though no unit moved.
      expect(await store.snapshot()).toMatchObject({ inventoryCount: 9, version: 2 })
      expect(await store.viewOf('bob')).toMatchObject({ inCart: false, holdUntil: null })
    })

    it('returns lapsed holds to stock as one change its listeners hear, and not a moment before', async () => {
      const { clock, store } = await timedStore()
      const changes = recordChanges(store)
      await store.apply('add', 'alice')
      clock.advance(1000)
      await store.apply('add', 'bob')
      await eventually(() => changes.length === 2)

      clock.advance(TTL_MS - 1001)
      await store.expireHolds()
      expect(await store.snapshot()).toMatchObject({ inventoryCount: 8, version: 2 })

      clock.advance(1001)
      await store.expireHolds()
      await store.expireHolds()
      await eventually(() => changes.length === 3)
      expect(changes[2]).toEqual({ inventoryCount: 10, totalInventory: 10, version: 3, epoch: anyEpoch })
      expect(await store.viewOf('alice')).toMatchObject({ inCart: false, holdUntil: null })
      await settle()
      expect(changes).toHaveLength(3)
    })

    it('frees a lapsed unit for another shopper', async () => {
      const { clock, store } = await timedStore(1)
      await store.apply('add', 'hoarder')
      expect(await store.apply('add', 'buyer')).toMatchObject({ ok: false, error: 'sold_out' })
      clock.advance(TTL_MS)
      await store.expireHolds()
      expect(await store.apply('add', 'buyer')).toMatchObject({ ok: true, inCart: true })
    })
  })
})
