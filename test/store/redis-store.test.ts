import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { openRedisStore, type RedisStoreOptions } from '../../src/store/redis.js'
import { testStoreOf, type TestStore } from '../helpers/stores.js'
import { StoreUnavailableError } from '../../src/store/store-unavailable-error.js'
import { ManualClock } from '../helpers/manual-clock.js'
import {
  adminConnection,
  connectionIds,
  deleteKeys,
  killConnections,
  portOfConnection,
  REDIS_URL,
  runRedisTests,
  useKeyPrefixes,
} from '../helpers/redis.js'
import { recordingLogger } from '../helpers/log-lines.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { classicCatalog, products } from '../helpers/catalogs.js'
import { classicView, type ClassicSnapshot, type ClassicView } from '../helpers/classic-store.js'
import { eventually } from '../helpers/eventually.js'
import { anyEpoch } from '../helpers/stock.js'

describe.skipIf(!runRedisTests)('RedisStore', () => {
  let admin: Redis
  const opened: TestStore[] = []
  const newPrefix = useKeyPrefixes()
  /** The prefix `shared` opened its stores on last. */
  let prefix = ''

  beforeAll(() => {
    admin = adminConnection()
  })
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()))
  })
  afterAll(() => admin.disconnect())

  /** Opens a store of the default product, 10 units, on `keyPrefix`, seen as the classic store. */
  async function openOn(keyPrefix: string, options: Partial<RedisStoreOptions> = {}): Promise<ClassicView> {
    const store = testStoreOf(
      await openRedisStore({ url: REDIS_URL, keyPrefix, catalog: classicCatalog(10), ...options }),
    )
    opened.push(store)
    return classicView(store)
  }

  /** Opens `count` stores on one fresh prefix, as `count` processes would. */
  function shared(count: number, options: Partial<RedisStoreOptions> = {}): Promise<ClassicView[]> {
    const keyPrefix = (prefix = newPrefix())
    return Promise.all(Array.from({ length: count }, () => openOn(keyPrefix, options)))
  }

  const heard = (store: ClassicView): ClassicSnapshot[] => {
    const changes: ClassicSnapshot[] = []
    store.onChange((snapshot) => changes.push(snapshot))
    return changes
  }

  it('tells every store on the same keys of a change made through one of them', async () => {
    const [a, b] = (await shared(2)) as [ClassicView, ClassicView]
    const onB = heard(b)
    await a.apply('add', 'alice')
    await eventually(() => onB.length === 1, 1000)
    expect(onB).toEqual([{ inventoryCount: 9, totalInventory: 10, version: 1, epoch: anyEpoch }])
    expect(await b.viewOf('alice')).toMatchObject({ inCart: true })
  })

  it('sells exactly the stock to adds racing through several stores', async () => {
    const stores = await shared(4)
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => stores[i % stores.length]!.apply('add', `shopper-${i}`)),
    )
    expect(results.filter((result) => result.ok)).toHaveLength(10)
    expect(await stores[0]!.snapshot()).toEqual({ inventoryCount: 0, totalInventory: 10, version: 10, epoch: anyEpoch })
    expect(await admin.hlen(`${prefix}lines:{default}`)).toBe(10)
  })

  it('returns each lapsed hold once, however many stores expire holds at the same moment', async () => {
    const clock = new ManualClock()
    clock.advance(1_800_000_000_000)
    const stores = await shared(4, { holds: { clock, ttlMs: 1000 } })
    const changes = heard(stores[0]!)
    await Promise.all(['a', 'b', 'c'].map((session, i) => stores[i]!.apply('add', session)))
    await eventually(() => changes.length === 3)

    clock.advance(1000)
    await Promise.all(stores.flatMap((store) => [store.expireHolds(), store.expireHolds()]))
    await eventually(() => changes.length === 4)
    expect(changes[3]).toEqual({ inventoryCount: 10, totalInventory: 10, version: 4, epoch: anyEpoch })
    expect(await stores[3]!.snapshot()).toEqual({ inventoryCount: 10, totalInventory: 10, version: 4, epoch: anyEpoch })
  })

  it('gives every store on the same keys one epoch', async () => {
    const stores = await shared(3)
    const epochs = await Promise.all(stores.map(async (store) => (await store.snapshot()).epoch))
    expect(new Set(epochs).size).toBe(1)
  })

  it('starts a new epoch when its keys are lost, and tells every store on them at once', async () => {
    const [a, b] = (await shared(2)) as [ClassicView, ClassicView]
    await a.apply('add', 'alice')
    const before = await b.snapshot()
    const onB = heard(b)
    await deleteKeys(admin, prefix)

    const after = await a.snapshot()
    expect(after).toEqual({ inventoryCount: 10, totalInventory: 10, version: 0, epoch: anyEpoch })
    expect(after.epoch).not.toBe(before.epoch)
    await eventually(() => onB.length === 1)
    expect(onB).toEqual([after])
    expect(await b.snapshot()).toEqual(after)
  })

  it('shares idempotency keys among every store on the same keys, each kept for 10 minutes', async () => {
    const stores = await shared(3)
    const results = await Promise.all(stores.map((store) => store.apply('add', 'alice', 'retried-key')))
    expect(results.filter((result) => !result.replayed)).toHaveLength(1)
    expect(await stores[0]!.snapshot()).toMatchObject({ inventoryCount: 9, version: 1 })
    const ttl = await admin.pttl(`${prefix}once:shopper:retried-key`)
    expect(ttl).toBeGreaterThan(590_000)
    expect(ttl).toBeLessThanOrEqual(600_000)
  })

  it('keeps the total of the first store to create the stock', async () => {
    const keyPrefix = newPrefix()
    const first = await openOn(keyPrefix, { catalog: classicCatalog(3) })
    await first.snapshot()
    const second = await openOn(keyPrefix, { catalog: classicCatalog(50) })
    expect(await second.snapshot()).toEqual({ inventoryCount: 3, totalInventory: 3, version: 0, epoch: anyEpoch })
  })

  it('keeps the catalog the first process seeded, warning once a later one whose own catalog differs', async () => {
    const keyPrefix = newPrefix()
    const first = await openOn(keyPrefix, { catalog: products(2) })
    await first.store.apply({ session: 's', sku: 'sku-1', request: { action: 'add' } })
    const same = recordingLogger()
    await openOn(keyPrefix, { catalog: products(2), logger: same.logger })
    const other = recordingLogger()
    const later = await openOn(keyPrefix, { catalog: products(5, 99), logger: other.logger })
    expect((await later.store.catalog()).products.map(({ sku, onHand, held }) => [sku, onHand, held])).toEqual([
      ['sku-0', 10, 0],
      ['sku-1', 10, 1],
    ])
    expect(same.lines()).toEqual([])
    expect(other.lines()).toEqual([
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('not the one this process was given') }),
    ])
  })

  it("keeps each product's keys under its own hash tag", async () => {
    const [store] = (await shared(1, { catalog: products(2) })) as [ClassicView]
    await store.store.apply({ session: 's', sku: 'sku-1', request: { action: 'add' } })
    const keys = (await admin.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)).sort()
    expect(keys).toEqual(
      expect.arrayContaining(['product:{sku-0}', 'product:{sku-1}', 'lines:{sku-1}', 'epoch', 'version', 'skus']),
    )
  })

  it('indexes the holds of keys an older stockpoll wrote by when they lapse, once, as it opens them', async () => {
    const clock = new ManualClock()
    clock.advance(1_800_000_000_000)
    const holds = { clock, ttlMs: 60_000 }
    const [store] = (await shared(1, { catalog: products(2), holds })) as [ClassicView]
    const add = (session: string) => store.store.apply({ session, sku: 'sku-1', request: { action: 'add' } })
    await add('a')
    clock.advance(1000)
    await add('b')
    const before = await store.store.catalog()
    expect(before.products[1]).toMatchObject({ held: 2, nextLapse: 1_800_000_060_000 })
    await admin.del(`${prefix}ends:{sku-1}`, `${prefix}ends:indexed`)
    await admin.hdel(`${prefix}product:{sku-1}`, 'nextLapse')

    const later = await openOn(prefix, { catalog: products(2), holds })
    expect(await later.store.catalog()).toEqual(before)
    // The index is whole: a's renewal leaves b's hold the next to lapse.
    clock.advance(1000)
    await add('a')
    expect((await later.store.catalog(['sku-1'])).products[0]).toMatchObject({ nextLapse: 1_800_000_061_000 })
  })

  it('indexes the orders of keys an older stockpoll wrote by when they were made, as it opens them', async () => {
    const [store] = (await shared(1, { catalog: products(1), rules: { maxPerSession: 1 } })) as [ClassicView]
    for (const session of ['a', 'b']) {
      await store.store.apply({ session, sku: 'sku-0', request: { action: 'add' } })
      await store.store.checkout(session)
    }
    const before = await store.store.orders({ limit: 10 })
    expect(before).toHaveLength(2)
    await admin.del(`${prefix}orders`, `${prefix}orders:indexed`)

    const later = await openOn(prefix, { catalog: products(1) })
    expect(await later.store.orders({ limit: 10 })).toEqual(before)
  })

  it('keeps stores on other prefixes apart', async () => {
    const [a] = (await shared(1)) as [ClassicView]
    const [b] = (await shared(1)) as [ClassicView]
    const onB = heard(b)
    await a.apply('add', 'alice')
    await sleep(50)
    expect(onB).toEqual([])
    expect(await b.snapshot()).toEqual({ inventoryCount: 10, totalInventory: 10, version: 0, epoch: anyEpoch })
  })

  it('reports the newest stock once its subscriber is back, even for changes published while it was cut off', async () => {
    const [writer] = (await shared(1)) as [ClassicView]
    const subscriberName = `${prefix}subscriber`
    const writerSubscriber = await connectionIds(admin, subscriberName)
    // A slow reconnect leaves a window in which a change is published and this store cannot hear it; a
    // short canary lets check() see the cut well within that window.
    const reader = await openOn(prefix, { reconnectDelayMs: () => 600, canaryTimeoutMs: 100 })
    const onReader = heard(reader)
    const readerSubscriber = (await connectionIds(admin, subscriberName)).filter((id) => !writerSubscriber.includes(id))
    expect(readerSubscriber).toHaveLength(1)

    await admin.client('KILL', 'ID', readerSubscriber[0]!)
    await eventuallyRejects(() => reader.check())
    await writer.apply('add', 'while-cut-off')
    await sleep(50)
    expect(onReader).toEqual([])

    await eventually(() => onReader.length > 0, 2000)
    expect(onReader.at(-1)).toEqual({ inventoryCount: 9, totalInventory: 10, version: 1, epoch: anyEpoch })
    await expect(reader.check()).resolves.toBeUndefined()
  })

  it('fails fast with StoreUnavailableError while its connection is down, and serves again once it is back', async () => {
    const [store] = (await shared(1, { reconnectDelayMs: () => 300 })) as [ClassicView]
    expect(await killConnections(admin, prefix)).toBe(2)
    await eventuallyRejects(() => store.check())
    const started = Date.now()
    await expect(store.apply('add', 'alice')).rejects.toBeInstanceOf(StoreUnavailableError)
    expect(Date.now() - started).toBeLessThan(100)

    await expect(retryUntilServing(() => store.apply('add', 'alice'))).resolves.toMatchObject({
      ok: true,
      inCart: true,
    })
    // Ready once both connections are back and the stock was read again.
    await expect(retryUntilServing(() => store.check())).resolves.toBeUndefined()
  })

  it('fails check() within its canary timeout when its subscriber silently stops hearing, though it looks connected', async () => {
    const proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname)
    try {
      const keyPrefix = newPrefix()
      const url = new URL(REDIS_URL)
      url.port = String(proxy.port)
      const store = await openOn(keyPrefix, { url: url.toString(), canaryTimeoutMs: 300 })
      await expect(store.check()).resolves.toBeUndefined()

      proxy.freeze(await portOfConnection(admin, `${keyPrefix}subscriber`))
      // Commands still work, and the subscriber's socket is still open: only a message sent through it tells.
      expect(await store.apply('add', 'alice')).toMatchObject({ ok: true })
      const started = Date.now()
      await expect(store.check()).rejects.toThrow(StoreUnavailableError)
      expect(Date.now() - started).toBeLessThan(1000)
    } finally {
      await proxy.close()
    }
  })

  it('refuses to open when Redis cannot be reached', async () => {
    await expect(openRedisStore({ url: 'redis://127.0.0.1:1', keyPrefix: newPrefix() })).rejects.toThrow(
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
    )
  })

  it('ignores a malformed message on its change channel', async () => {
    const { logger, lines } = recordingLogger()
    const [store] = (await shared(1, { logger })) as [ClassicView]
    const changes = heard(store)
    await admin.spublish(`${prefix}changes`, '{"version":"not a number"}')
    await admin.spublish(`${prefix}changes`, 'not json at all')
    await eventually(
      () => lines().filter((line) => line.msg === 'ignored a malformed change message').length === 2,
      1000,
    )
    expect(lines()[0]).toMatchObject({ level: 'warn', message: '{"version":"not a number"}' })
    expect(changes).toEqual([])
    await store.apply('add', 'alice')
    await eventually(() => changes.length === 1, 1000)
  })
})

/** Waits, for at most 1 s, until `action` fails with StoreUnavailableError: the store has noticed an outage. */
const eventuallyRejects = (action: () => Promise<unknown>): Promise<void> =>
  eventually(
    () =>
      action().then(
        () => false,
        (error: unknown) => error instanceof StoreUnavailableError,
      ),
    1000,
  )

/** Runs `action` until it stops failing, for at most 3 s. */
const retryUntilServing = <T>(action: () => Promise<T>): Promise<T> =>
  vi.waitFor(action, { timeout: 3000, interval: 20 })
