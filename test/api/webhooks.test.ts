import { describe, expect, it } from 'vitest'
import { webhookBodySchema } from '../../src/edge/webhook-bodies.js'
import type { RetryPolicy } from '../../src/shop/webhook-sender.js'
import { catalogFile, products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { testApp } from '../helpers/test-app.js'
import { useWebhookReceivers, WEBHOOK_SECRET, type ReceiverMode } from '../helpers/webhook-receiver.js'

const TOKEN = 'test-admin-token-0123456789abcdef0123456789'
const AS_ADMIN = { Authorization: `Bearer ${TOKEN}` }
/** Two products of 6 units: one cart of 6 sells one out; LOW_STOCK_AT is 5. */
const ENV = { CATALOG_FILE: catalogFile(products(2, 6)), MAX_PER_SESSION: '6' }
/** A second, then another, then given up on two seconds after the first failure. */
const QUICK_RETRY: RetryPolicy = { firstDelayMs: 1000, maxDelayMs: 1000, giveUpAfterMs: 2000, random: () => 1 }

const newReceiver = useWebhookReceivers()

/** The app sending its webhooks to a receiver of the test's, which answers as `mode` says. */
async function shopWithReceiver(mode: ReceiverMode = 'take', timeoutMs = 10_000) {
  const receiver = await newReceiver(mode)
  const app = await testApp({
    env: ENV,
    adminToken: TOKEN,
    webhooks: { url: receiver.url, secret: WEBHOOK_SECRET, timeoutMs, retry: QUICK_RETRY },
  })
  const send = (path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    app.app.request(path, { method: 'POST', headers: { ...AS_ADMIN, ...headers }, body: new URLSearchParams(fields) })
  const setCart = async (session: string, sku: string, quantity: number) =>
    expect((await send('/cart', { session, sku, action: 'set', quantity: String(quantity) })).status).toBe(200)
  const status = async () =>
    (await (await app.app.request('/admin/webhooks', { headers: AS_ADMIN })).json()) as {
      pending: { events: { id: string; type: string }[]; attempts: number; lastError: string | null }
      failed: { event: { id: string; type: string }; attempts: number; lastError: string }[]
    }
  /**
   * Moves the shop's clock on a quarter of a second at a time until `condition` holds: a retry is due once
   * its time has come, whenever the sender, which runs on its own, got round to setting its timer.
   */
  const waitOut = (condition: () => boolean | Promise<boolean>) =>
    eventually(async () => {
      app.clock.advance(250)
      return condition()
    })
  return { ...app, receiver, send, setCart, status, waitOut }
}

describe('webhooks', () => {
  it('tells the receiver of every change in order, each event signed', async () => {
    const shop = await shopWithReceiver()
    await shop.setCart('ann', 'sku-0', 6)
    const order = (await (await shop.send('/checkout', { session: 'ann' })).json()) as { id: string }
    await shop.send('/admin/products/sku-0/adjustments', { delta: '10', reason: 'delivery' })
    await shop.send(`/admin/orders/${order.id}/cancel`)
    await shop.setCart('bob', 'sku-1', 1)

    await eventually(() => shop.receiver.taken.length === 6)
    expect(shop.receiver.forged()).toBe(0)
    expect(shop.receiver.taken.map(({ type, data }) => [type, data.sku ?? data.order?.id])).toEqual([
      ['stock.sold_out', 'sku-0'],
      ['order.created', order.id],
      ['stock.adjusted', 'sku-0'],
      ['stock.back_in_stock', 'sku-0'],
      ['order.cancelled', order.id],
      // The cancel takes what is left from 10 to 16: in stock before and after, so no level event.
      ['stock.low', 'sku-1'],
    ])
    expect(shop.receiver.taken[2]!.data).toEqual({
      sku: 'sku-0',
      onHand: 10,
      held: 0,
      available: 10,
      change: { kind: 'restock', quantity: 10, reason: 'delivery' },
    })
    expect(shop.receiver.taken[1]!.data.order).toMatchObject({
      status: 'placed',
      lines: [{ sku: 'sku-0', quantity: 6 }],
    })
    expect(new Set(shop.receiver.taken.map(({ id }) => id)).size).toBe(6)
    // Each body is what /openapi.json says a webhook carries, and nothing more.
    for (const { id, ...body } of shop.receiver.taken) expect(webhookBodySchema.parse(body), id).toEqual(body)
    expect((await shop.status()).pending.events).toEqual([])
  })

  it('keeps trying a receiver that fails, every event arriving in order once it is back; carts answer meanwhile', async () => {
    const shop = await shopWithReceiver('fail')
    await shop.setCart('ann', 'sku-0', 6)
    await eventually(() => shop.receiver.attempts() === 1)
    // The receiver is down: the shop goes on, and the next event waits behind the first.
    await shop.setCart('bob', 'sku-1', 6)
    await shop.setCart('ann', 'sku-0', 0)
    await eventually(async () => (await shop.status()).pending.attempts === 1)
    const waiting = await shop.status()
    expect(waiting.pending.events.map(({ type }) => type)).toEqual([
      'stock.sold_out',
      'stock.sold_out',
      'stock.back_in_stock',
    ])
    expect(waiting.pending).toMatchObject({ attempts: 1, lastError: 'the receiver answered 500' })

    await shop.waitOut(() => shop.receiver.attempts() === 2)
    shop.receiver.answer('take')
    await shop.waitOut(() => shop.receiver.taken.length === 3)
    expect(shop.receiver.taken.map(({ type, data }) => `${type} ${data.sku}`)).toEqual([
      'stock.sold_out sku-0',
      'stock.sold_out sku-1',
      'stock.back_in_stock sku-0',
    ])
    expect((await shop.status()).pending).toMatchObject({ events: [], attempts: 0, lastError: null })
  })

  it('waits out a receiver that does not answer, and sends once it does; carts answer meanwhile', async () => {
    const shop = await shopWithReceiver('hang', 200)
    await shop.setCart('ann', 'sku-0', 6)
    await eventually(() => shop.receiver.attempts() === 1)
    await shop.setCart('bob', 'sku-1', 1)
    await eventually(async () => (await shop.status()).pending.attempts === 1)
    expect((await shop.status()).pending.lastError).toBe('the receiver did not answer in time')
    shop.receiver.answer('take')
    await shop.waitOut(() => shop.receiver.taken.length === 2)
    expect(shop.receiver.taken.map(({ type, data }) => `${type} ${data.sku}`)).toEqual([
      'stock.sold_out sku-0',
      'stock.low sku-1',
    ])
  })

  it('gives up on an event after its time, for a retry by hand, and sends the ones after it', async () => {
    const shop = await shopWithReceiver('fail')
    await shop.setCart('ann', 'sku-0', 6)
    await eventually(() => shop.receiver.attempts() === 1)
    await shop.setCart('bob', 'sku-1', 1)
    // Two seconds after its first failure, it fails once more and is set aside; the next is tried at once.
    await shop.waitOut(async () => (await shop.status()).failed.length === 1)
    shop.receiver.answer('take')
    await shop.waitOut(() => shop.receiver.taken.length === 1)
    expect(shop.receiver.taken.map(({ type }) => type)).toEqual(['stock.low'])
    const { failed } = await shop.status()
    expect(failed).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({ type: 'stock.sold_out' }),
        lastError: 'the receiver answered 500',
      }),
    ])

    shop.receiver.answer('fail')
    const again = await shop.send(`/admin/webhooks/failed/${failed[0]!.event.id}/retry`)
    expect(again.status).toBe(502)
    expect(await again.json()).toMatchObject({
      error: 'webhook_not_taken',
      failed: { attempts: failed[0]!.attempts + 1, lastError: 'the receiver answered 500' },
    })
    shop.receiver.answer('take')
    const retried = await shop.send(`/admin/webhooks/failed/${failed[0]!.event.id}/retry`)
    expect(retried.status).toBe(200)
    expect(shop.receiver.taken.map(({ type }) => type)).toEqual(['stock.low', 'stock.sold_out'])
    expect(shop.receiver.taken[1]!.id).toBe(failed[0]!.event.id)
    expect((await shop.status()).failed).toEqual([])
    expect((await shop.send(`/admin/webhooks/failed/${failed[0]!.event.id}/retry`)).status).toBe(404)
  })

  it('refuses a malformed event id, and says when no webhooks are sent', async () => {
    const shop = await shopWithReceiver()
    const malformed = await shop.send('/admin/webhooks/failed/not-an-id/retry')
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: 'invalid_request' })
    const off = await testApp({ env: ENV, adminToken: TOKEN })
    const answer = await off.app.request('/admin/webhooks', { headers: AS_ADMIN })
    expect(answer.status).toBe(404)
    expect(await answer.json()).toMatchObject({ error: 'webhooks_off' })
  })
})
