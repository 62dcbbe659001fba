import { describe, expect, it } from 'vitest'
import { CatalogMirror } from '../../src/push/catalog-mirror.js'
import { Hub } from '../../src/push/hub.js'
import type { Sink } from '../../src/push/subscription.js'
import { TooManyWaitersError } from '../../src/push/too-many-waiters-error.js'
import type { Update } from '../../src/push/update.js'
import { CLASSIC_WATCH, oneProduct } from '../helpers/catalogs.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { nextTurn } from '../helpers/turns.js'

const stock = (version: number, epoch = 'first-life') => oneProduct(version, 10 - version, epoch)

const hubAt = (version: number, batchSize?: number) =>
  new Hub(new CatalogMirror(stock(version)), {
    clock: new ManualClock(),
    maxWaiters: 100,
    ...(batchSize ? { batchSize } : {}),
  })

/** A subscriber that records the versions it is sent and whether it was ended. */
function recorder() {
  const versions: number[] = []
  const sent: Update[] = []
  let ended = false
  const subscriber: Sink = {
    send(update) {
      versions.push(update.products[0]!.version)
      sent.push(update)
    },
    end() {
      ended = true
    },
  }
  return { subscriber, versions, sent, ended: () => ended }
}

describe('Hub subscriptions', () => {
  it('counts subscribers and waiters against one cap: each is an open connection', () => {
    const hub = new Hub(new CatalogMirror(stock(0)), { clock: new ManualClock(), maxWaiters: 2 })
    const subscription = hub.subscribe('sse', CLASSIC_WATCH, undefined, recorder().subscriber)
    hub.wait(CLASSIC_WATCH, { version: 0 }, 1000, () => {})
    expect(() => hub.subscribe('ws', CLASSIC_WATCH, undefined, recorder().subscriber)).toThrow(TooManyWaitersError)
    expect(() => hub.wait(CLASSIC_WATCH, { version: 0 }, 1000, () => {})).toThrow(TooManyWaitersError)
    expect(() => hub.assertRoom()).toThrow(TooManyWaitersError)
    subscription.end()
    expect(() => hub.subscribe('ws', CLASSIC_WATCH, undefined, recorder().subscriber)).not.toThrow()
  })

  it('sends a new subscriber the latest version on the next turn, then every later one', async () => {
    const hub = hubAt(3)
    const { subscriber, versions } = recorder()
    hub.subscribe('sse', CLASSIC_WATCH, undefined, subscriber)
    expect(versions).toEqual([])
    await nextTurn()
    expect(versions).toEqual([3])
    hub.publish(stock(4))
    await nextTurn()
    hub.publish(stock(5))
    await nextTurn()
    expect(versions).toEqual([3, 4, 5])
  })

  it('sends nothing on subscribing to a client that says it has the latest version, and catches up one that is behind', async () => {
    const hub = hubAt(3)
    const current = recorder()
    const behind = recorder()
    hub.subscribe('sse', CLASSIC_WATCH, { version: 3 }, current.subscriber)
    hub.subscribe('sse', CLASSIC_WATCH, { version: 1 }, behind.subscriber)
    await nextTurn()
    expect(current.versions).toEqual([])
    expect(behind.versions).toEqual([3])
    hub.publish(stock(4))
    await nextTurn()
    expect(current.versions).toEqual([4])
    expect(behind.versions).toEqual([3, 4])
  })

  it('coalesces a burst: one send, with the newest version, even while still queued from an earlier one', async () => {
    const hub = hubAt(0, 1)
    const first = recorder()
    const second = recorder()
    hub.subscribe('ws', CLASSIC_WATCH, { version: 0 }, first.subscriber)
    hub.subscribe('ws', CLASSIC_WATCH, { version: 0 }, second.subscriber)
    hub.publish(stock(1))
    hub.publish(stock(2))
    await nextTurn()
    hub.publish(stock(3))
    await nextTurn()
    await nextTurn()
    await nextTurn()
    expect(first.versions).toEqual([2, 3])
    expect(second.versions).toEqual([3])
  })

  it('sends every subscriber and waiter of the same watch and cursor the same update, encoded once per transport', async () => {
    const hub = hubAt(0)
    const a = recorder()
    const b = recorder()
    hub.subscribe('sse', CLASSIC_WATCH, { version: 0 }, a.subscriber)
    hub.subscribe('ws', CLASSIC_WATCH, { version: 0 }, b.subscriber)
    let waited: Update | undefined
    hub.wait(CLASSIC_WATCH, { version: 0 }, 25_000, (published) => (waited = published))
    hub.publish(stock(1))
    await nextTurn()
    expect(a.sent[0]).toBe(b.sent[0])
    expect(waited).toBe(a.sent[0])
    let encodings = 0
    const framed = (update: Update) => `frame ${update.version} ${++encodings}`
    expect(a.sent[0]!.as(framed)).toBe(b.sent[0]!.as(framed))
    expect(encodings).toBe(1)
  })

  it('counts subscribers per transport, and sends nothing more once a subscription is ended', async () => {
    const hub = hubAt(0)
    const gone = recorder()
    const stays = recorder()
    const subscription = hub.subscribe('sse', CLASSIC_WATCH, { version: 0 }, gone.subscriber)
    hub.subscribe('sse', CLASSIC_WATCH, { version: 0 }, stays.subscriber)
    hub.subscribe('ws', CLASSIC_WATCH, { version: 0 }, recorder().subscriber)
    expect(hub.heldByTransport()).toEqual({ longPoll: 0, sse: 2, ws: 1 })

    hub.publish(stock(1))
    subscription.end()
    subscription.end()
    expect(hub.heldByTransport().sse).toBe(1)
    await nextTurn()
    expect(gone.versions).toEqual([])
    expect(stays.versions).toEqual([1])
  })

  it('on close sends each subscriber the latest version it lacks, then ends it; a later one is ended at once', async () => {
    const hub = hubAt(0)
    const queued = recorder()
    hub.subscribe('sse', CLASSIC_WATCH, { version: 0 }, queued.subscriber)
    hub.publish(stock(1))
    void hub.close()
    expect(queued.versions).toEqual([1])
    expect(queued.ended()).toBe(true)
    expect(hub.heldByTransport().sse).toBe(0)

    const late = recorder()
    hub.subscribe('ws', CLASSIC_WATCH, undefined, late.subscriber)
    expect(late.versions).toEqual([1])
    expect(late.ended()).toBe(true)
    await nextTurn()
    expect(queued.versions).toEqual([1])
  })

  it('sends a subscriber the stock of a new epoch, though its version is lower than the one it has', async () => {
    const hub = hubAt(5)
    const { subscriber, sent } = recorder()
    hub.subscribe('sse', CLASSIC_WATCH, { version: 5, epoch: 'first-life' }, subscriber)
    hub.publish(stock(0, 'second-life'))
    await nextTurn()
    expect(sent.map((update) => [update.epoch, update.version])).toEqual([['second-life', 0]])
  })

  it('sends at once, on subscribing, the current stock to a client whose cursor is of another epoch', async () => {
    const hub = hubAt(2)
    const { subscriber, versions } = recorder()
    hub.subscribe('sse', CLASSIC_WATCH, { version: 9, epoch: 'a-life-before' }, subscriber)
    await nextTurn()
    expect(versions).toEqual([2])
  })
})
