import { describe, expect, it } from 'vitest'
import { ClassicApi } from '../../src/gateway/classic.js'
import { CatalogMirror } from '../../src/push/catalog-mirror.js'
import { Hub } from '../../src/push/hub.js'
import type { Reason } from '../../src/push/subscription.js'
import { TooManyWaitersError } from '../../src/push/too-many-waiters-error.js'
import { Update } from '../../src/push/update.js'
import type { Cursor } from '../../src/push/watch.js'
import { CLASSIC_WATCH, oneProduct, seen } from '../helpers/catalogs.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { nextTurn, track } from '../helpers/turns.js'

const EPOCH = 'first-life'

/** The one-product catalog at `version`, with `inventoryCount` left, as the classic tests saw it. */
const stock = (version: number, inventoryCount = 10 - version, epoch = EPOCH) =>
  oneProduct(version, inventoryCount, epoch)

function hubAt(version: number, options: { maxWaiters?: number; batchSize?: number } = {}) {
  const clock = new ManualClock()
  const hub = new Hub(new CatalogMirror(stock(version)), { clock, maxWaiters: options.maxWaiters ?? 100, ...options })
  return { clock, hub }
}

/**
 * An update as a classic client is sent it, through the classic adapter, which gives the default product's
 * stock in every answer; the same update gives the same classic one.
 */
const classicUpdates = new WeakMap<Update, Update>()
function classicOf(hub: Hub, update: Update): Update {
  let classic = classicUpdates.get(update)
  if (!classic) {
    const product = new ClassicApi(CLASSIC_WATCH.kind === 'products' ? CLASSIC_WATCH.skus[0]! : '', hub.catalog)
    classic = new Update(update.epoch, update.version, [product.stockOf(update)], update.resync)
    classicUpdates.set(update, classic)
  }
  return classic
}

const TIMEOUT_MS = 25_000

/** A wait whose delivery is a promise, and its cancel. */
/** A wait whose delivery is a promise, and its cancel; `since` is a version of the epoch the hub started in. */
function held(hub: Hub, since: number | Cursor | undefined, timeoutMs = TIMEOUT_MS) {
  let cancel = () => {}
  const answer = new Promise<Update>((resolve) => {
    cancel = hub.wait(CLASSIC_WATCH, typeof since === 'number' ? { version: since } : since, timeoutMs, (update) =>
      resolve(classicOf(hub, update)),
    )
  })
  return { answer, cancel }
}

/** A wait that records why it was answered. */
function heldFor(hub: Hub, since: Cursor | undefined, timeoutMs = TIMEOUT_MS) {
  return new Promise<{ published: Update; reason: Reason }>((resolve) => {
    hub.wait(CLASSIC_WATCH, since, timeoutMs, (published, reason) =>
      resolve({ published: classicOf(hub, published), reason }),
    )
  })
}

describe('Hub', () => {
  it('answers at once, with the latest version, a cursor that is behind', async () => {
    const { hub } = hubAt(3)
    const published = await held(hub, 1).answer
    expect(seen(published)).toEqual(seen(stock(3)))
    expect(hub.held).toBe(0)
  })

  it('holds a waiter at the latest version until a change, then answers it with the change', async () => {
    const { hub } = hubAt(3)
    const answer = track(held(hub, 3).answer)
    await nextTurn()
    expect(answer.settled).toBe(false)
    expect(hub.held).toBe(1)

    hub.publish(stock(4))
    await nextTurn()
    expect(seen(answer.value!)).toEqual(seen(stock(4)))
    expect(hub.held).toBe(0)
  })

  it('without a cursor, waits for the next change', async () => {
    const { hub } = hubAt(5)
    const answer = track(held(hub, undefined).answer)
    await nextTurn()
    expect(answer.settled).toBe(false)
    hub.publish(stock(6))
    await nextTurn()
    expect(answer.value?.version).toBe(6)
  })

  it('holds a cursor from the future until the version passes it', async () => {
    const { hub } = hubAt(1)
    const answer = track(held(hub, 2).answer)
    hub.publish(stock(2))
    await nextTurn()
    expect(answer.settled).toBe(false)
    hub.publish(stock(3))
    await nextTurn()
    expect(answer.value?.version).toBe(3)
  })

  it('builds each update once: every waiter of the same watch and cursor gets the same one', async () => {
    const { hub } = hubAt(0)
    const answers = [held(hub, 0).answer, held(hub, 0).answer, held(hub, 0).answer]
    hub.publish(stock(1))
    const [first, ...rest] = await Promise.all(answers)
    for (const other of rest) expect(other).toBe(first)
  })

  it('answers with the unchanged stock when the timeout passes', async () => {
    const { hub, clock } = hubAt(2)
    const answer = track(held(hub, 2, 1000).answer)
    clock.advance(999)
    await nextTurn()
    expect(answer.settled).toBe(false)
    clock.advance(1)
    await nextTurn()
    expect(seen(answer.value!)).toEqual(seen(stock(2)))
    expect(hub.held).toBe(0)
  })

  it('answers a cursor that is behind on the next turn, with whatever is newest by then', async () => {
    const { hub } = hubAt(3)
    const delivered: number[] = []
    hub.wait(CLASSIC_WATCH, { version: 2 }, TIMEOUT_MS, (published) => delivered.push(published.version))
    expect(delivered).toEqual([])
    hub.publish(stock(4))
    await nextTurn()
    expect(delivered).toEqual([4])
    expect(hub.held).toBe(0)
  })

  it('drops a cursor that is behind without answering it, when cancelled before its turn', async () => {
    const { hub } = hubAt(3)
    const delivered: number[] = []
    const cancel = hub.wait(CLASSIC_WATCH, { version: 2 }, TIMEOUT_MS, (published) => delivered.push(published.version))
    cancel()
    expect(hub.held).toBe(0)
    await nextTurn()
    expect(delivered).toEqual([])
  })

  it('on cancel drops the waiter and its timer at once, and delivers nothing to it', async () => {
    const { hub, clock } = hubAt(0)
    const wait = held(hub, 0, 1000)
    const answer = track(wait.answer)
    expect(hub.held).toBe(1)
    expect(clock.pending).toBe(1)
    wait.cancel()
    expect(hub.held).toBe(0)
    expect(clock.pending).toBe(0)
    hub.publish(stock(1))
    clock.advance(1000)
    await nextTurn()
    expect(answer.settled).toBe(false)
  })

  it('ignores a cancel after the delivery, and a second cancel', async () => {
    const { hub } = hubAt(0)
    const first = held(hub, 0)
    const second = held(hub, 0)
    const secondAnswer = track(second.answer)
    second.cancel()
    second.cancel()
    hub.publish(stock(1))
    expect((await first.answer).version).toBe(1)
    first.cancel()
    expect(hub.held).toBe(0)
    await nextTurn()
    expect(secondAnswer.settled).toBe(false)
  })

  it('cancels the timer of a waiter answered by a change', async () => {
    const { hub, clock } = hubAt(0)
    const answer = held(hub, 0).answer
    hub.publish(stock(1))
    await answer
    expect(clock.pending).toBe(0)
  })

  it('refuses a waiter past the cap with TooManyWaitersError, and takes one again once there is room', async () => {
    const { hub } = hubAt(0, { maxWaiters: 2 })
    const first = held(hub, 0)
    held(hub, 0)
    expect(() => hub.wait(CLASSIC_WATCH, { version: 0 }, TIMEOUT_MS, () => {})).toThrow(TooManyWaitersError)
    first.cancel()
    expect(hub.held).toBe(1)
    held(hub, 0)
    expect(hub.held).toBe(2)
  })

  it('still answers a cursor that is behind when full, since that holds nothing', async () => {
    const { hub } = hubAt(1, { maxWaiters: 1 })
    void held(hub, 1).answer
    expect((await held(hub, 0).answer).version).toBe(1)
  })

  it('answers nobody inside publish, so the writer is answered first', async () => {
    const { hub } = hubAt(0)
    const answer = track(held(hub, 0).answer)
    hub.publish(stock(1))
    await Promise.resolve()
    expect(answer.settled).toBe(false)
    await nextTurn()
    expect(answer.settled).toBe(true)
  })

  it('answers a large fan-out in batches, one per turn of the event loop', async () => {
    const { hub } = hubAt(0, { batchSize: 2 })
    const answers = Array.from({ length: 5 }, () => track(held(hub, 0).answer))
    hub.publish(stock(1))
    const answeredAfterEachTurn: number[] = []
    for (let turn = 0; turn < 3; turn++) {
      await nextTurn()
      answeredAfterEachTurn.push(answers.filter((answer) => answer.settled).length)
    }
    expect(answeredAfterEachTurn).toEqual([2, 4, 5])
    expect(hub.held).toBe(0)
  })

  it('coalesces a burst of changes: each waiter is woken once, with the newest version', async () => {
    const { hub } = hubAt(0)
    const answer = held(hub, 0).answer
    hub.publish(stock(1))
    hub.publish(stock(2))
    hub.publish(stock(3))
    expect((await answer).version).toBe(3)
  })

  it('answers a waiter still queued in a fan-out with the newest version', async () => {
    const { hub } = hubAt(0, { batchSize: 1 })
    const first = track(held(hub, 0).answer)
    const second = track(held(hub, 0).answer)
    hub.publish(stock(1))
    await nextTurn()
    hub.publish(stock(2))
    await nextTurn()
    await nextTurn()
    expect(first.value?.version).toBe(1)
    expect(second.value?.version).toBe(2)
  })

  it('ignores a published version that is not newer than the latest', async () => {
    const { hub } = hubAt(4)
    hub.publish(stock(3))
    hub.publish(stock(4, 0))
    expect(hub.version).toBe(4)
    expect(seen(await held(hub, 0).answer)).toEqual(seen(stock(4)))
  })

  it('misses no change published in the same turn as a wait, just before it or just after it', async () => {
    const { hub } = hubAt(0)
    hub.publish(stock(1))
    const before = held(hub, 0).answer
    const after = held(hub, 1).answer
    hub.publish(stock(2))
    expect((await before).version).toBe(2)
    expect((await after).version).toBe(2)
  })

  it('answers at once a cursor of another epoch, whatever its version, with the current stock', async () => {
    const { hub } = hubAt(3)
    const { published, reason } = await heldFor(hub, { version: 40, epoch: 'a-life-before' })
    expect(seen(published)).toEqual(seen(stock(3)))
    expect(reason).toBe('changed')
  })

  it('holds a cursor of the current epoch, named or not', async () => {
    const { hub } = hubAt(3)
    const named = track(held(hub, { version: 3, epoch: EPOCH }).answer)
    const unnamed = track(held(hub, 3).answer)
    await nextTurn()
    expect([named.settled, unnamed.settled]).toEqual([false, false])
  })

  it('on a new epoch answers every held waiter, though the new version is lower, and holds new waits in it', async () => {
    const { hub } = hubAt(7)
    const before = [held(hub, 7).answer, held(hub, 9).answer]
    hub.publish(stock(0, 10, 'second-life'))
    const after = track(held(hub, { version: 0, epoch: 'second-life' }).answer)
    const answered = await Promise.all(before)
    expect(answered.map((update) => [update.epoch, update.version])).toEqual([
      ['second-life', 0],
      ['second-life', 0],
    ])
    await nextTurn()
    expect(after.settled).toBe(false)
    expect(hub.held).toBe(1)
  })

  it('still ignores an old version of the current epoch after a new epoch began', async () => {
    const { hub } = hubAt(7)
    hub.publish(stock(2, 10, 'second-life'))
    hub.publish(stock(1, 10, 'second-life'))
    expect([hub.epoch, hub.version]).toEqual(['second-life', 2])
  })

  it('says why each waiter was answered: a change, its timeout, or the hub closing', async () => {
    const { hub, clock } = hubAt(0)
    const changed = heldFor(hub, { version: 0 })
    hub.publish(stock(1))
    expect((await changed).reason).toBe('changed')
    const timedOut = heldFor(hub, { version: 1 }, 1000)
    clock.advance(1000)
    expect((await timedOut).reason).toBe('timeout')
    const closing = heldFor(hub, { version: 1 })
    void hub.close()
    expect((await closing).reason).toBe('closing')
    expect((await heldFor(hub, { version: 1 })).reason).toBe('closing')
  })

  it('on close spreads its answers evenly over the window it is given', async () => {
    const { hub, clock } = hubAt(0)
    const answers = Array.from({ length: 100 }, () => track(held(hub, 0).answer))
    const closed = track(hub.close(1000))
    const answeredBy: number[] = []
    for (let ms = 0; ms < 1000; ms += 250) {
      await nextTurn()
      answeredBy.push(answers.filter((answer) => answer.settled).length)
      clock.advance(250)
    }
    await nextTurn()
    // About a quarter more every 250 ms, not all at once and not all at the end.
    expect(answeredBy).toEqual([2, 27, 52, 77])
    expect(answers.every((answer) => answer.settled)).toBe(true)
    expect(closed.settled).toBe(true)
    expect(hub.held).toBe(0)
  })

  it('on close answers every waiter with the latest stock, and any later wait at once', async () => {
    const { hub, clock } = hubAt(7)
    const answers = [held(hub, 7).answer, held(hub, 9).answer]
    void hub.close()
    expect((await Promise.all(answers)).map((published) => published.version)).toEqual([7, 7])
    expect((await held(hub, 7).answer).version).toBe(7)
    expect(hub.held).toBe(0)
    expect(clock.pending).toBe(0)
  })
})
