import { afterEach, describe, expect, it } from 'vitest'
import { progressAt, type FailedWebhook } from '../../src/domain/webhook-event.js'
import type { CartCommand } from '../../src/store/store.js'
import { products } from '../helpers/catalogs.js'
import { useStoreKinds, type TestStore } from '../helpers/stores.js'

const kinds = useStoreKinds()

const add = (session: string, sku: string): CartCommand => ({ session, sku, request: { action: 'add' } })

/** An event given up on at `failedAt`, of the movement `seq`. */
const failed = (seq: number, failedAt: number): FailedWebhook => ({
  event: {
    id: `epoch.${seq}.0`,
    index: 0,
    type: 'stock.sold_out',
    movement: {
      seq,
      time: 1000,
      sku: 'p1',
      kind: 'hold',
      quantity: 1,
      actor: 'shopper',
      orderId: null,
      idempotencyKey: null,
      reason: null,
      onHand: 1,
      held: 1,
    },
  },
  attempts: 40,
  lastError: 'the receiver answered 500',
  failedAt,
})

describe.each(kinds)('$name store: the webhook log', ({ open, openTwo }) => {
  const opened: TestStore[] = []
  afterEach(async () => {
    await Promise.all([...new Set(opened.splice(0))].map((store) => store.close()))
  })
  const shop = async () => {
    const store = await open({ catalog: products(2, 5) })
    opened.push(store)
    return store
  }

  it("starts at the ledger's end, so that history from before webhooks is not sent, and stays there", async () => {
    const store = await shop()
    await store.apply(add('a', 'sku-0'))
    const [last] = (await store.movements({ after: 0, limit: 100 })).slice(-1)
    expect(await store.parts.webhooks.progress()).toEqual(progressAt(last!.seq))
    await store.apply(add('b', 'sku-0'))
    expect((await store.parts.webhooks.progress()).seq).toBe(last!.seq)
  })

  it('keeps the progress it is given, and an event given up on with it', async () => {
    const { webhooks } = (await shop()).parts
    const waiting = { ...progressAt(3), sent: 1, attempts: 2, failingSince: 10, nextAttemptAt: 20, lastError: 'no' }
    await webhooks.save(waiting)
    expect(await webhooks.progress()).toEqual(waiting)
    await webhooks.save(progressAt(4), failed(4, 30))
    expect(await webhooks.progress()).toEqual(progressAt(4))
    expect(await webhooks.failed(10)).toEqual([failed(4, 30)])
  })

  it('lists the events given up on oldest first, finds one, and forgets one once it is sent', async () => {
    const { webhooks } = (await shop()).parts
    await webhooks.save(progressAt(9), failed(9, 300))
    await webhooks.putFailed('epoch.5.0', failed(5, 100))
    await webhooks.putFailed('epoch.7.0', failed(7, 200))
    expect((await webhooks.failed(2)).map(({ event }) => event.id)).toEqual(['epoch.5.0', 'epoch.7.0'])
    expect(await webhooks.failedOne('epoch.7.0')).toEqual(failed(7, 200))
    await webhooks.putFailed('epoch.7.0', undefined)
    expect(await webhooks.failedOne('epoch.7.0')).toBeUndefined()
    expect((await webhooks.failed(10)).map(({ event }) => event.id)).toEqual(['epoch.5.0', 'epoch.9.0'])
  })

  it('gives the right to send to one process at a time, for as long as it renews it', async () => {
    const [one, other] = await openTwo({ catalog: products(1, 5) })
    opened.push(one, other)
    expect(await one.parts.webhooks.lease('one', 60_000)).toBe(true)
    expect(await one.parts.webhooks.lease('one', 60_000)).toBe(true)
    // A store of one process is the only one on its stock: the other is the same store.
    expect(await other.parts.webhooks.lease('other', 60_000)).toBe(one === other)
  })

  it('passes the right to send on once its holder stops renewing it', async () => {
    const [one, other] = await openTwo({ catalog: products(1, 5) })
    opened.push(one, other)
    expect(await one.parts.webhooks.lease('one', 20)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(await other.parts.webhooks.lease('other', 60_000)).toBe(true)
  })
})
