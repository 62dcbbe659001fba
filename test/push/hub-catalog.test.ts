import { describe, expect, it } from 'vitest'
import type { CatalogChange } from '../../src/domain/catalog.js'
import type { ProductStock } from '../../src/domain/product.js'
import { CatalogMirror } from '../../src/push/catalog-mirror.js'
import { Hub } from '../../src/push/hub.js'
import type { Reason, Sink } from '../../src/push/subscription.js'
import type { Cursor, Watch } from '../../src/push/watch.js'
import type { Update } from '../../src/push/update.js'
import { stockOf } from '../helpers/catalogs.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { nextTurn, track } from '../helpers/turns.js'

const EPOCH = 'first-life'
const TIMEOUT_MS = 25_000

/** A hub over products a, b and c, all at version 0, then moved by `changes`. */
function shop() {
  const clock = new ManualClock()
  const hub = new Hub(
    new CatalogMirror({ epoch: EPOCH, version: 0, products: ['a', 'b', 'c'].map((sku) => stockOf(sku, 0)) }),
    { clock, maxWaiters: 1000 },
  )
  let version = 0
  /** One change: each SKU given held one more unit, at the next version. */
  const change = (...skus: string[]): CatalogChange => {
    version++
    const change = { epoch: EPOCH, version, products: skus.map((sku) => stockOf(sku, version, version)) }
    hub.publish(change)
    return change
  }
  return { hub, clock, change }
}

const products = (skus: readonly string[]): Watch => ({ kind: 'products', skus })
const ALL: Watch = { kind: 'all' }

/** The answer to a wait, when it comes. */
const answerTo = (hub: Hub, watch: Watch, since?: Cursor, timeoutMs = TIMEOUT_MS) =>
  new Promise<{ update: Update; reason: Reason }>((resolve) => {
    hub.wait(watch, since, timeoutMs, (update, reason) => resolve({ update, reason }))
  })

/** A wait, followed so that a test can ask whether and with what it has been answered. */
const waitFor = (...args: Parameters<typeof answerTo>) => track(answerTo(...args))

const skusIn = (update: Update | undefined): string[] =>
  update?.products.map((product: ProductStock) => product.sku) ?? []

describe('Hub over a catalog', () => {
  it('wakes only the clients watching the product that changed, or the whole catalog', async () => {
    const { hub, change } = shop()
    const onA = waitFor(hub, products(['a']), { version: 0 })
    const onB = waitFor(hub, products(['b']), { version: 0 })
    const onAll = waitFor(hub, ALL, { version: 0 })
    change('a')
    await nextTurn()
    expect(skusIn(onA.value?.update)).toEqual(['a'])
    expect(skusIn(onAll.value?.update)).toEqual(['a'])
    expect(onB.settled).toBe(false)
    expect(hub.held).toBe(1)
  })

  it('answers a set with those of its products that moved past the cursor, once, though two moved', async () => {
    const { hub, change } = shop()
    const delivered: Update[] = []
    hub.wait(products(['a', 'b', 'c']), { version: 0 }, TIMEOUT_MS, (update) => delivered.push(update))
    change('a')
    change('c')
    await nextTurn()
    expect(delivered.map(skusIn)).toEqual([['a', 'c']])
    expect(delivered[0]!.version).toBe(2)
    expect(hub.held).toBe(0)
  })

  it('answers at once a cursor behind on any product of the set, with only those behind', async () => {
    const { hub, change } = shop()
    change('a')
    change('b')
    const behind = waitFor(hub, products(['b', 'c']), { version: 1 })
    await nextTurn()
    expect(skusIn(behind.value?.update)).toEqual(['b'])
    expect(behind.value?.update.version).toBe(2)
    const upToDate = waitFor(hub, products(['a', 'c']), { version: 1 })
    await nextTurn()
    expect(upToDate.settled).toBe(false)
  })

  it('answers the whole catalog with what moved since the cursor, however long ago', async () => {
    const { hub, change } = shop()
    change('a')
    change('b')
    change('a', 'c')
    expect(skusIn((await answerTo(hub, ALL, { version: 1 })).update).sort()).toEqual(['a', 'b', 'c'])
    expect(skusIn((await answerTo(hub, ALL, { version: 2 })).update).sort()).toEqual(['a', 'c'])
    expect(skusIn((await answerTo(hub, ALL, { version: 0 })).update).sort()).toEqual(['a', 'b', 'c'])
  })

  it('tells a client that waited its whole timeout that nothing moved, and the cursor to come back with', async () => {
    const { hub, clock, change } = shop()
    const wait = waitFor(hub, products(['b']), { version: 0 }, 1000)
    change('a')
    clock.advance(1000)
    await nextTurn()
    expect(wait.value?.reason).toBe('timeout')
    expect(wait.value?.update.products).toEqual([])
    expect(wait.value?.update.version).toBe(1)
  })

  it('answers every client of a new epoch with every product it watches, marked resync', async () => {
    const { hub } = shop()
    const set = waitFor(hub, products(['a', 'b']), { version: 0 })
    hub.publish({ epoch: 'second-life', version: 0, products: ['a', 'b', 'c'].map((sku) => stockOf(sku, 0)) })
    await nextTurn()
    expect(set.value?.update.resync).toBe(false)
    expect(skusIn(set.value?.update)).toEqual(['a', 'b'])
    expect(set.value?.update.epoch).toBe('second-life')
    const old = waitFor(hub, ALL, { version: 5, epoch: EPOCH })
    await nextTurn()
    expect(old.value?.update.resync).toBe(true)
    expect(skusIn(old.value?.update)).toEqual(['a', 'b', 'c'])
  })

  it('gives clients of the same set and cursor the same update, whatever order they named it in', async () => {
    const { hub, change } = shop()
    const first = waitFor(hub, products(['a', 'b']), { version: 0 })
    const second = waitFor(hub, products(['b', 'a']), { version: 0 })
    change('b')
    await nextTurn()
    expect(first.value?.update).toBe(second.value?.update)
  })

  it('keeps the newest stock of each product when a change comes out of order or a read repeats older ones', async () => {
    const { hub, change } = shop()
    const newer = change('a')
    hub.publish({ epoch: EPOCH, version: 0, products: ['a', 'b', 'c'].map((sku) => stockOf(sku, 0)) })
    expect(hub.version).toBe(newer.version)
    const wait = waitFor(hub, products(['a']), { version: 0 })
    await nextTurn()
    expect(wait.value?.update.products).toEqual(newer.products)
  })
})

function recorder() {
  const sent: Update[] = []
  const subscriber: Sink = { send: (update) => void sent.push(update), end: () => {} }
  return { subscriber, sent, skus: () => sent.map(skusIn) }
}

describe('Hub subscriptions to a catalog', () => {
  it('sends a subscriber every product it watches first, then only the changes to them', async () => {
    const { hub, change } = shop()
    const watching = recorder()
    hub.subscribe('sse', products(['a', 'b']), undefined, watching.subscriber)
    await nextTurn()
    change('c')
    await nextTurn()
    change('b')
    await nextTurn()
    expect(watching.skus()).toEqual([['a', 'b'], ['b']])
  })

  it('watches more products on the way, sending their stock at once, and stops watching others', async () => {
    const { hub, change } = shop()
    const { subscriber, skus } = recorder()
    const subscription = hub.subscribe('ws', products(['a']), { version: 0 }, subscriber)
    subscription.watch(['c'])
    await nextTurn()
    subscription.unwatch(['a'])
    change('a')
    await nextTurn()
    change('c')
    await nextTurn()
    expect(skus()).toEqual([['c'], ['c']])
  })

  it('sends a subscriber of the whole catalog each change, a burst as one', async () => {
    const { hub, change } = shop()
    const { subscriber, sent } = recorder()
    hub.subscribe('sse', ALL, { version: 0 }, subscriber)
    change('a')
    change('b')
    await nextTurn()
    change('c')
    await nextTurn()
    expect(sent.map((update) => [update.version, skusIn(update)])).toEqual([
      [2, ['a', 'b']],
      [3, ['c']],
    ])
  })
})
