import { MAX_WATCHED_SKUS } from '../../src/edge/input.js'
import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { anyEpoch } from '../helpers/stock.js'
import { testApp } from '../helpers/test-app.js'
import { track } from '../helpers/turns.js'

/** An app over three products of 5 units (sku-0, sku-1, sku-2), three units a session at most. */
const shop = (env: Record<string, string> = {}) =>
  testApp({ env: { CATALOG_FILE: catalogFile(products(3, 5)), MAX_PER_SESSION: '3', ...env } })

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

describe('GET /products', () => {
  it('lists every product with its stock and version, the catalog version and epoch, and the cap on a line', async () => {
    const { app, postCart } = await shop()
    await postCart({ session: 's', sku: 'sku-1', action: 'set', quantity: '2' })
    const response = await app.request('/products')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.json()).toEqual({
      epoch: anyEpoch,
      version: 1,
      maxPerSession: 3,
      checkout: 'open',
      products: [
        { sku: 'sku-0', name: 'Product 0', onHand: 5, held: 0, available: 5, level: 'low', version: 0 },
        { sku: 'sku-1', name: 'Product 1', onHand: 5, held: 2, available: 3, level: 'low', version: 1 },
        { sku: 'sku-2', name: 'Product 2', onHand: 5, held: 0, available: 5, level: 'low', version: 0 },
      ],
    })
  })

  it('names the shop in /products when SHOP_NAME gives it a name', async () => {
    const { app } = await testApp({ env: { SHOP_NAME: '  Corner Shop ' } })
    expect(await (await app.request('/products')).json()).toMatchObject({ shopName: 'Corner Shop' })
  })

  it('answers one product at /products/:sku, 404 unknown_product for a SKU the catalog lacks, 400 for one that is no SKU', async () => {
    const { app } = await shop()
    expect(await (await app.request('/products/sku-2')).json()).toEqual({
      epoch: anyEpoch,
      version: 0,
      product: { sku: 'sku-2', name: 'Product 2', onHand: 5, held: 0, available: 5, level: 'low', version: 0 },
    })
    const unknown = await app.request('/products/sku-9')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ error: 'unknown_product', message: 'there is no product "sku-9"' })
    expect((await app.request('/products/not%20a%20sku')).status).toBe(400)
  })
})

describe('POST /cart with a product and a quantity', () => {
  it('holds exactly the quantity set, answering the line, the product and the catalog version', async () => {
    const { app } = await shop()
    const response = await app.request('/cart', json({ session: 's', sku: 'sku-0', action: 'set', quantity: 3 }))
    expect(await response.json()).toEqual({
      epoch: anyEpoch,
      version: 1,
      line: { sku: 'sku-0', quantity: 3, holdExpiresInSeconds: null },
      product: { sku: 'sku-0', name: 'Product 0', onHand: 5, held: 3, available: 2, level: 'low', version: 1 },
    })
    const removed = await app.request('/cart', json({ session: 's', sku: 'sku-0', action: 'set', quantity: 0 }))
    expect(await removed.json()).toMatchObject({ version: 2, line: { quantity: 0 }, product: { held: 0 } })
  })

  it('refuses past the cap with 409 limit_reached naming it, and past what is left with 409 sold_out naming what is', async () => {
    const { app, postCart } = await shop()
    const tooMany = await postCart({ session: 'a', sku: 'sku-0', action: 'set', quantity: '4' })
    expect(tooMany.status).toBe(409)
    expect(await tooMany.json()).toEqual({
      error: 'limit_reached',
      message: 'a session may hold at most 3 of sku-0',
      limit: 3,
    })
    await postCart({ session: 'a', sku: 'sku-0', action: 'set', quantity: '3' })
    const tooFew = await postCart({ session: 'b', sku: 'sku-0', action: 'set', quantity: '3' })
    expect(tooFew.status).toBe(409)
    expect(await tooFew.json()).toEqual({ error: 'sold_out', message: 'only 2 of sku-0 are left', available: 2 })
    expect(await (await app.request('/products/sku-0')).json()).toMatchObject({ product: { held: 3 } })
  })

  it('acts on the default product, the first of the catalog, when the command names none', async () => {
    const { app, postCart } = await shop()
    expect(await (await postCart({ session: 's', action: 'set', quantity: '2' })).json()).toMatchObject({
      line: { sku: 'sku-0', quantity: 2 },
    })
    expect(await (await postCart({ session: 't', action: 'add' })).json()).toMatchObject({
      inventoryCount: 2,
      totalInventory: 5,
      inCart: true,
    })
    expect(await (await app.request('/inventory')).json()).toMatchObject({ inventoryCount: 2, version: 2 })
  })

  it.each([
    [{ session: 's', sku: 'sku-9', action: 'add' }, 404, 'unknown_product', 'there is no product "sku-9"'],
    [{ session: 's', sku: 'sku 0', action: 'add' }, 400, 'invalid_request', 'sku must be 1 to 64 characters'],
    [{ session: 's', sku: 'sku-0', action: 'set' }, 400, 'invalid_request', 'set needs a quantity'],
    [
      { session: 's', sku: 'sku-0', action: 'add', quantity: 2 },
      400,
      'invalid_request',
      "quantity goes only with action 'set'",
    ],
    [
      { session: 's', action: 'set', quantity: -1 },
      400,
      'invalid_request',
      'quantity must be a whole number from 0 to',
    ],
    [
      { session: 's', action: 'set', quantity: 1.5 },
      400,
      'invalid_request',
      'quantity must be a whole number from 0 to',
    ],
    [{ session: 's', sku: 'sku-0', action: 'buy' }, 400, 'invalid_request', "action must be 'add', 'remove' or 'set'"],
  ])('refuses %o with %i %s, changing nothing', async (body, status, error, message) => {
    const { app } = await shop()
    const response = await app.request('/cart', json(body))
    expect(response.status).toBe(status)
    expect(await response.json()).toEqual({ error, message: expect.stringContaining(message) })
    expect(await (await app.request('/products')).json()).toMatchObject({ version: 0 })
  })

  it('caps the units one address holds of a product with MAX_UNITS_PER_ADDRESS, across its sessions', async () => {
    const { postCart } = await shop({ MAX_UNITS_PER_ADDRESS: '4' })
    expect((await postCart({ session: 'a', sku: 'sku-0', action: 'set', quantity: '3' })).status).toBe(200)
    const refused = await postCart({ session: 'b', sku: 'sku-0', action: 'set', quantity: '2' })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toEqual({
      error: 'address_limit',
      message: 'the sessions of this address may hold at most 4 of sku-0 together',
      limit: 4,
    })
    expect((await postCart({ session: 'b', sku: 'sku-1', action: 'set', quantity: '2' })).status).toBe(200)
  })
})

describe('GET /cart with a catalog', () => {
  it("lists every line of the session, in catalog order, with each product's stock and its hold's end", async () => {
    const { app, postCart, clock } = await shop()
    await postCart({ session: 's', sku: 'sku-2', action: 'set', quantity: '1' })
    clock.advance(1000)
    await postCart({ session: 's', sku: 'sku-0', action: 'set', quantity: '2' })
    const body = await (await app.request('/cart?session=s')).json()
    expect(body.lines).toEqual([
      {
        sku: 'sku-0',
        quantity: 2,
        holdExpiresInSeconds: null,
        lapsed: false,
        product: { sku: 'sku-0', name: 'Product 0', onHand: 5, held: 2, available: 3, level: 'low', version: 2 },
      },
      {
        sku: 'sku-2',
        quantity: 1,
        holdExpiresInSeconds: null,
        lapsed: false,
        product: { sku: 'sku-2', name: 'Product 2', onHand: 5, held: 1, available: 4, level: 'low', version: 1 },
      },
    ])
    expect(body).toMatchObject({ inCart: true, inventoryCount: 3, totalInventory: 5 })
  })
})

describe('GET /status?skus=', () => {
  it('holds until a product it watches moves, then answers with those that did; a change elsewhere wakes nobody', async () => {
    const { app, postCart, hub, whenHeld } = await shop()
    const onOne = track(app.request('/status?skus=sku-1,sku-2&since=0'))
    const onOther = track(app.request('/status?skus=sku-0&since=0'))
    await whenHeld(2)
    await postCart({ session: 's', sku: 'sku-2', action: 'set', quantity: '2' })
    await eventually(() => onOne.settled)
    expect(await onOne.value!.json()).toEqual({
      epoch: anyEpoch,
      version: 1,
      products: [{ sku: 'sku-2', name: 'Product 2', onHand: 5, held: 2, available: 3, level: 'low', version: 1 }],
      retryAfterMs: 0,
    })
    expect(onOther.settled).toBe(false)
    expect(hub.held).toBe(1)
  })

  it('answers at once a cursor behind on some of them, with only those; and watches the whole catalog with *', async () => {
    const { app, postCart } = await shop()
    await postCart({ session: 's', sku: 'sku-0', action: 'add' })
    await postCart({ session: 's', sku: 'sku-1', action: 'add' })
    const skusIn = async (response: Response | Promise<Response>) => {
      const body = (await (await response).json()) as { version: number; products: { sku: string }[] }
      return { version: body.version, skus: body.products.map(({ sku }) => sku).sort() }
    }
    expect(await skusIn(app.request('/status?skus=sku-1,sku-2&since=1'))).toEqual({ version: 2, skus: ['sku-1'] })
    const all = await skusIn(app.request('/status?skus=*&since=0'))
    expect(all.skus).toEqual(['sku-0', 'sku-1'])
    expect(all.version).toBe(2)
  })

  it('answers a timeout with nothing that moved and the cursor to come back with, and a stale epoch with every product', async () => {
    const { app, clock, whenHeld } = await shop()
    const poll = track(app.request('/status?skus=sku-0&since=0&timeout=1'))
    await whenHeld(1)
    clock.advance(1000)
    await eventually(() => poll.settled)
    expect(await poll.value!.json()).toEqual({
      epoch: anyEpoch,
      version: 0,
      products: [],
      retryAfterMs: expect.any(Number),
    })
    const stale = await (await app.request('/status?skus=sku-0,sku-1&since=9&epoch=gone')).json()
    expect(stale).toMatchObject({ resync: true, retryAfterMs: 0 })
    expect(stale.products).toHaveLength(2)
  })

  it('refuses an unknown SKU with 404 and a list past the limit with 400, holding nothing', async () => {
    const { app, hub } = await shop()
    const unknown = await app.request('/status?skus=sku-0,sku-7')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: 'unknown_product' })
    const skus = Array.from({ length: MAX_WATCHED_SKUS + 1 }, (_, i) => `s${i}`).join(',')
    const tooMany = await app.request(`/status?skus=${skus}`)
    expect(tooMany.status).toBe(400)
    expect(await tooMany.json()).toMatchObject({ message: expect.stringContaining(`at most ${MAX_WATCHED_SKUS} SKUs`) })
    expect(hub.held).toBe(0)
  })
})

describe('a catalog of 10 000 products', () => {
  it('lists, watches and changes any of them', async () => {
    const { app, postCart, whenHeld } = await testApp({ env: { CATALOG_FILE: catalogFile(products(10_000, 2)) } })
    const listed = await (await app.request('/products')).json()
    expect(listed.products).toHaveLength(10_000)
    const all = track(app.request('/status?skus=*&since=0'))
    const last = track(app.request('/status?skus=sku-9999&since=0'))
    await whenHeld(2)
    await postCart({ session: 's', sku: 'sku-9999', action: 'add' })
    await eventually(() => all.settled && last.settled)
    for (const poll of [all, last]) {
      expect(await poll.value!.json()).toMatchObject({ version: 1, products: [{ sku: 'sku-9999', held: 1 }] })
    }
  })
})
