import { describe, expect, it } from 'vitest'
import { MAX_ON_HAND } from '../../src/domain/product.js'
import { MAX_ADMIN_FAILURES } from '../../src/api/guards/bearer-auth.js'
import { catalogFile, products } from '../helpers/catalogs.js'
import { testApp } from '../helpers/test-app.js'

const TOKEN = 'test-admin-token-0123456789abcdef0123456789'
const AS_ADMIN = { Authorization: `Bearer ${TOKEN}` }
const NO_ORDERS = { orders: 0, units: 0 }
const JSON_BODY = { 'Content-Type': 'application/json' }
const CATALOG = { CATALOG_FILE: catalogFile(products(2, 5)), MAX_PER_SESSION: '5' }

/** The app with the admin API on, and requests to it as the admin. */
async function adminApp() {
  const app = await testApp({ env: CATALOG, adminToken: TOKEN })
  const admin = (
    path: string,
    method = 'GET',
    fields?: Record<string, string>,
    headers: Record<string, string> = {},
    json?: object,
  ) =>
    app.app.request(path, {
      method,
      headers: { ...AS_ADMIN, ...headers },
      ...(fields && { body: new URLSearchParams(fields) }),
      ...(json && { body: JSON.stringify(json) }),
    })
  return { ...app, admin }
}

describe('the admin API', () => {
  it('is not there without ADMIN_TOKEN', async () => {
    const { app } = await testApp()
    const answer = await app.request('/admin/verify', { headers: AS_ADMIN })
    expect(answer.status).toBe(404)
    expect(await answer.json()).toMatchObject({ error: 'not_found' })
  })

  it('serves its page at /admin to anyone, which asks for the token, and none without ADMIN_TOKEN', async () => {
    const { app } = await adminApp()
    const page = await app.request('/admin')
    expect(page.status).toBe(200)
    expect(page.headers.get('Content-Type')).toMatch(/^text\/html/)
    expect(page.headers.get('Content-Security-Policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('<label for="token">Admin token</label>')
    expect((await (await testApp()).app.request('/admin')).status).toBe(404)
  })

  it('answers 401 with WWW-Authenticate without the token or with another, and 400 to a malformed header', async () => {
    const { app } = await adminApp()
    for (const headers of [{}, { Authorization: 'Bearer not-the-token' }]) {
      const answer = await app.request('/admin/verify', { headers })
      expect(answer.status).toBe(401)
      expect(answer.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="stockpoll admin"/)
      expect(await answer.json()).toEqual({ error: 'unauthorized', message: expect.any(String) })
    }
    const malformed = await app.request('/admin/verify', { headers: { Authorization: 'Basic abc' } })
    expect(malformed.status).toBe(400)
  })

  it('refuses an address that keeps failing with 429, even once it has the token, and nothing else', async () => {
    const { app } = await adminApp()
    for (let i = 0; i < MAX_ADMIN_FAILURES; i++) {
      expect((await app.request('/admin/verify', { headers: { Authorization: `Bearer guess-${i}` } })).status).toBe(401)
    }
    const refused = await app.request('/admin/verify', { headers: AS_ADMIN })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect((await app.request('/products')).status).toBe(200)
  })

  it('creates a product (201), replaces it (200), only as expected, never below held, and pushes each change', async () => {
    const { admin, app, postCart } = await adminApp()
    const poll = app.request('/status?skus=*&since=0')
    const created = await admin('/admin/products/socks', 'PUT', { name: 'Socks', onHand: '4' })
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({
      created: true,
      product: { sku: 'socks', name: 'Socks', onHand: 4, held: 0, available: 4, version: 1 },
    })
    expect(await (await poll).json()).toMatchObject({ version: 1, products: [{ sku: 'socks', available: 4 }] })

    await postCart({ session: 'abc', action: 'set', sku: 'socks', quantity: '3' })
    const conflict = await admin('/admin/products/socks', 'PUT', { name: 'Socks', onHand: '9', expected: '5' })
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({ error: 'conflict', current: 4 })
    const below = await admin('/admin/products/socks', 'PUT', { name: 'Socks', onHand: '2' })
    expect(await below.json()).toMatchObject({ error: 'below_held', held: 3 })
    const replaced = await admin('/admin/products/socks', 'PUT', { name: 'Wool socks', onHand: '9', expected: '4' })
    expect(replaced.status).toBe(200)
    expect(await replaced.json()).toMatchObject({ created: false, product: { name: 'Wool socks', onHand: 9, held: 3 } })
  })

  it("takes an Idempotency-Key a shopper used already as the admin's own", async () => {
    const { admin, postCart } = await adminApp()
    expect((await postCart({ session: 'abc', action: 'add', sku: 'sku-0' }, { 'Idempotency-Key': 'k1' })).status).toBe(
      200,
    )
    const adjusted = await admin(
      '/admin/products/sku-0/adjustments',
      'POST',
      { delta: '1', reason: 'x' },
      {
        'Idempotency-Key': 'k1',
      },
    )
    expect(adjusted.status).toBe(200)
    expect(await adjusted.json()).toMatchObject({ product: { onHand: 6, held: 1 } })
  })

  it('adjusts by a delta with a reason, once per Idempotency-Key', async () => {
    const { admin } = await adminApp()
    const adjust = () =>
      admin('/admin/products/sku-0/adjustments', 'POST', { delta: '-2', reason: 'broken' }, { 'Idempotency-Key': 'a1' })
    expect(await (await adjust()).json()).toMatchObject({ product: { onHand: 3 } })
    const again = await adjust()
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await again.json()).toMatchObject({ product: { onHand: 3 } })
    const page = await (await admin('/admin/movements?sku=sku-0')).json()
    expect(page).toMatchObject({
      movements: [
        { seq: 1, kind: 'restock', quantity: 5 },
        { kind: 'adjust', quantity: -2, reason: 'broken', idempotencyKey: 'a1', onHand: 3, held: 0 },
      ],
      next: null,
    })
    expect((await admin('/admin/products/nope/adjustments', 'POST', { delta: '1', reason: 'x' })).status).toBe(404)
  })

  it('archives a product, which shoppers see and can no longer put in a cart, and sells it again', async () => {
    const { admin, postCart, app } = await adminApp()
    const archived = await admin('/admin/products/sku-0/archive', 'POST', undefined, { 'Idempotency-Key': 'arc-1' })
    expect(archived.status).toBe(200)
    expect(await archived.json()).toMatchObject({ product: { sku: 'sku-0', archived: true } })
    const shown = (await (await app.request('/products/sku-0')).json()) as { product: object }
    expect(shown.product).toMatchObject({ sku: 'sku-0', archived: true })
    const refused = await postCart({ session: 'ann', sku: 'sku-0', action: 'add' })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toEqual({
      error: 'archived',
      message: 'sku-0 is no longer sold: the shop archived it',
    })

    const sold = await admin('/admin/products/sku-0/unarchive', 'POST')
    expect(((await sold.json()) as { product: object }).product).not.toHaveProperty('archived')
    expect((await postCart({ session: 'ann', sku: 'sku-0', action: 'add' })).status).toBe(200)
    expect((await admin('/admin/products/nope/archive', 'POST')).status).toBe(404)
    expect((await admin('/admin/products/sku-0/archive')).status).toBe(405)
  })

  it('lists with each product the orders still placed that name it, and the units they sold of it', async () => {
    const { admin, postCart, app } = await adminApp()
    const buy = async (session: string, lines: Record<string, number>) => {
      for (const [sku, quantity] of Object.entries(lines)) {
        await postCart({ session, sku, action: 'set', quantity: String(quantity) })
      }
      const checkout = await app.request('/checkout', { method: 'POST', body: new URLSearchParams({ session }) })
      return ((await checkout.json()) as { id: string }).id
    }
    await buy('ann', { 'sku-0': 2, 'sku-1': 1 })
    const cancelled = await buy('bob', { 'sku-0': 1 })
    await buy('cy', { 'sku-0': 1 })
    expect((await admin(`/admin/orders/${cancelled}/cancel`, 'POST')).status).toBe(200)
    const { products } = (await (await admin('/admin/products')).json()) as { products: { openOrders: object }[] }
    expect(products.map(({ openOrders }) => openOrders)).toEqual([
      { orders: 2, units: 3 },
      { orders: 1, units: 1 },
    ])
  })

  it('lists every product with every count, and puts many at once, each made or refused alone, once per key', async () => {
    const { admin, postCart } = await adminApp()
    await postCart({ session: 'shopper', sku: 'sku-1', action: 'set', quantity: '2' })
    expect(await (await admin('/admin/products')).json()).toEqual({
      epoch: expect.any(String),
      version: 1,
      products: [
        { sku: 'sku-0', name: 'Product 0', onHand: 5, held: 0, available: 5, version: 0, openOrders: NO_ORDERS },
        { sku: 'sku-1', name: 'Product 1', onHand: 5, held: 2, available: 3, version: 1, openOrders: NO_ORDERS },
      ],
    })
    const bulk = (products: object[]) =>
      admin(
        '/admin/products',
        'PUT',
        undefined,
        { 'Content-Type': 'application/json', 'Idempotency-Key': 'sync-1' },
        {
          products,
        },
      )
    const sync = [
      { sku: 'sku-0', name: 'Product 0', onHand: 8, expected: 5 },
      { sku: 'sku-1', name: 'Product 1', onHand: 1 },
      { sku: 'sku-2', name: 'Product 2', onHand: 4 },
      { sku: 'sku-0b', name: 'Product 0b', onHand: 1, expected: 3 },
    ]
    const answered = await (await bulk(sync)).json()
    expect(answered).toEqual({
      results: [
        { sku: 'sku-0', created: false, product: expect.objectContaining({ onHand: 8 }) },
        { sku: 'sku-1', error: 'below_held', message: 'carts hold 2 of sku-1: onHand may not go below that', held: 2 },
        { sku: 'sku-2', created: true, product: expect.objectContaining({ onHand: 4, available: 4 }) },
        { sku: 'sku-0b', error: 'conflict', message: 'sku-0b has onHand 0, not 3: read it again', current: 0 },
      ],
    })
    // The same request again, under its key: the same answers, nothing changed twice.
    expect(await (await bulk(sync)).json()).toEqual(answered)
    expect((await (await admin('/admin/products')).json()).products).toHaveLength(3)
    const twice = await bulk([sync[0]!, sync[0]!])
    expect(twice.status).toBe(400)
    expect(await twice.json()).toMatchObject({ message: expect.stringContaining('products names a sku twice') })
    const form = await admin('/admin/products', 'PUT', { products: '[]' })
    expect(await form.json()).toMatchObject({ error: 'invalid_request', message: 'the body must be application/json' })
  })

  it('adjusts only as expected, and refuses a field it does not know, changing nothing', async () => {
    const { admin } = await adminApp()
    const path = '/admin/products/sku-0/adjustments'
    const stale = await admin(path, 'POST', { delta: '3', reason: 'delivery', expected: '4' })
    expect(stale.status).toBe(409)
    expect(await stale.json()).toEqual({
      error: 'conflict',
      message: 'sku-0 has onHand 5, not 4: read it again',
      current: 5,
    })
    const unknown = await admin(path, 'POST', { delta: '3', reason: 'delivery', kind: 'sale' })
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({
      error: 'invalid_request',
      message: expect.stringContaining('unknown field kind'),
    })
    const put = await admin('/admin/products/sku-0', 'PUT', { name: 'Product 0', onHand: '9', price: '12' })
    expect(await put.json()).toMatchObject({ message: expect.stringContaining('unknown field price') })
    expect(await (await admin(path, 'POST', { delta: '3', reason: 'delivery', expected: '5' })).json()).toMatchObject({
      product: { onHand: 8 },
    })
  })

  it('records a sale made elsewhere, from what no cart holds, pushed to watchers like any change', async () => {
    const { admin, postCart, app } = await adminApp()
    await postCart({ session: 'shopper', sku: 'sku-0', action: 'set', quantity: '4' })
    const poll = app.request('/status?skus=sku-0&since=1&epoch=' + (await epochOf(app)))
    const short = await admin('/admin/products/sku-0/sales', 'POST', { quantity: '2' })
    expect(short.status).toBe(409)
    expect(await short.json()).toEqual({
      error: 'insufficient_stock',
      message: 'only 1 of sku-0 are in no cart, not 2',
      available: 1,
    })
    const sold = await admin('/admin/products/sku-0/sales', 'POST', { quantity: '1', reason: 'till 3', expected: '5' })
    expect(await sold.json()).toEqual({
      product: { sku: 'sku-0', name: 'Product 0', onHand: 4, held: 4, available: 0, version: 2 },
    })
    expect(await (await poll).json()).toMatchObject({ products: [{ sku: 'sku-0', available: 0, level: 'sold_out' }] })
    const page = await (await admin('/admin/movements?sku=sku-0&after=3')).json()
    expect(page).toMatchObject({
      movements: [
        { kind: 'hold', quantity: 1, actor: 'admin', reason: 'till 3' },
        { kind: 'sale', quantity: -1, actor: 'admin', reason: 'till 3', onHand: 4, held: 4 },
      ],
    })
    expect(await (await admin('/admin/verify')).json()).toMatchObject({ ok: true })
  })

  it("takes a sale's shortfall from the newest holds with takeFromHolds, which the carts and every watcher see", async () => {
    const { admin, postCart, app, clock } = await adminApp()
    await postCart({ session: 'early', sku: 'sku-0', action: 'set', quantity: '2' })
    clock.advance(1000)
    await postCart({ session: 'late', sku: 'sku-0', action: 'set', quantity: '2' })
    const sale = (body: object) => admin('/admin/products/sku-0/sales', 'POST', undefined, JSON_BODY, body)
    for (const takeFromHolds of ['yes', 1]) {
      const refused = await sale({ quantity: 2, takeFromHolds })
      expect(refused.status).toBe(400)
      expect(await refused.json()).toEqual({ error: 'invalid_request', message: 'takeFromHolds must be true or false' })
    }
    const short = await sale({ quantity: 6, takeFromHolds: true })
    expect(short.status).toBe(409)
    expect(await short.json()).toMatchObject({ message: 'only 5 of sku-0 are on hand, not 6', available: 5 })
    const poll = app.request('/status?skus=sku-0&since=2&epoch=' + (await epochOf(app)))
    const sold = await sale({ quantity: 3, reason: 'sold in the shop', takeFromHolds: true, expected: 5 })
    expect(await sold.json()).toEqual({
      product: { sku: 'sku-0', name: 'Product 0', onHand: 2, held: 2, available: 0, version: 3, holdsTakenAt: 3 },
    })
    expect(await (await poll).json()).toMatchObject({ products: [{ sku: 'sku-0', held: 2, holdsTakenAt: 3 }] })
    const cart = async (session: string) => (await (await app.request(`/cart?session=${session}`)).json()).lines
    expect(await cart('late')).toEqual([])
    expect(await cart('early')).toMatchObject([{ sku: 'sku-0', quantity: 2, product: { holdsTakenAt: 3 } }])
    const page = await (await admin('/admin/movements?sku=sku-0&after=4')).json()
    expect(page).toMatchObject({
      movements: [
        { kind: 'hold', quantity: 1, actor: 'admin', reason: 'sold in the shop' },
        { kind: 'sale', quantity: -1, actor: 'admin', onHand: 4, held: 4 },
        { kind: 'take', quantity: -2, actor: 'late', reason: 'sold in the shop', onHand: 2, held: 2 },
      ],
    })
    expect(await (await admin('/admin/verify')).json()).toMatchObject({ ok: true })
  })

  it('refuses a restock past the most a product may have with 409 on_hand_limit, changing nothing', async () => {
    const { admin } = await adminApp()
    const past = await admin('/admin/products/sku-0/adjustments', 'POST', {
      delta: String(MAX_ON_HAND - 4),
      reason: 'delivery',
    })
    expect(past.status).toBe(409)
    expect(await past.json()).toEqual({
      error: 'on_hand_limit',
      message: `sku-0 has 5 on hand, and may have at most ${MAX_ON_HAND}`,
      sku: 'sku-0',
      limit: MAX_ON_HAND,
    })
    const upTo = await admin('/admin/products/sku-0/adjustments', 'POST', {
      delta: String(MAX_ON_HAND - 5),
      reason: 'delivery',
    })
    expect(await upTo.json()).toMatchObject({ product: { onHand: MAX_ON_HAND } })
    expect(await (await admin('/admin/verify')).json()).toEqual({ ok: true })
  })

  it('lists the holds of a product and releases one', async () => {
    const { admin, postCart } = await adminApp()
    await postCart({ session: 'abc', action: 'set', sku: 'sku-1', quantity: '2' })
    expect(await (await admin('/admin/products/sku-1/holds')).json()).toEqual({
      sku: 'sku-1',
      holds: [{ session: 'abc', quantity: 2, lapsed: false, holdExpiresInSeconds: null, address: null }],
    })
    const released = await admin('/admin/products/sku-1/holds/abc', 'DELETE')
    expect(await released.json()).toMatchObject({ released: 2, product: { held: 0, available: 5 } })
    const none = await admin('/admin/products/sku-1/holds/abc', 'DELETE')
    expect(none.status).toBe(404)
    expect(await none.json()).toMatchObject({ error: 'no_hold' })
  })

  it('lists the orders a page at a time, by status and time, and shows one, whoever made it', async () => {
    const { admin, app, postCart, clock } = await adminApp()
    clock.advance(Date.parse('2026-12-04T09:00:00Z'))
    const ids: string[] = []
    for (const session of ['a', 'b', 'c']) {
      clock.advance(60_000)
      await postCart({ session, action: 'set', sku: 'sku-0', quantity: '1' })
      const checkout = await app.request('/checkout', { method: 'POST', body: new URLSearchParams({ session }) })
      ids.push(((await checkout.json()) as { id: string }).id)
    }
    await admin(`/admin/orders/${ids[1]}/cancel`, 'POST')
    const first = await (await admin('/admin/orders?limit=2')).json()
    expect(first).toMatchObject({
      orders: [
        { id: ids[0], session: 'a', status: 'placed', createdAt: '2026-12-04T09:01:00.000Z' },
        { id: ids[1], session: 'b', status: 'cancelled' },
      ],
      next: ids[1],
    })
    expect(await (await admin(`/admin/orders?limit=2&after=${ids[1]}`)).json()).toMatchObject({
      orders: [{ id: ids[2] }],
      next: null,
    })
    const placed = await (await admin('/admin/orders?status=placed&from=2026-12-04T10:02:00%2B01:00')).json()
    expect(placed).toMatchObject({ orders: [{ id: ids[2] }], next: null })
    expect(await (await admin('/admin/orders?to=2026-12-04T09:02:00Z')).json()).toMatchObject({
      orders: [{ id: ids[0] }],
    })
    expect(await (await admin(`/admin/orders/${ids[2]}`)).json()).toMatchObject({
      order: { id: ids[2], session: 'c', lines: [{ sku: 'sku-0', name: 'Product 0', quantity: 1 }] },
    })
    const missing = await admin('/admin/orders/no-such-order')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: 'order_not_found' })
    const bad = await admin('/admin/orders?from=yesterday&status=lost')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      message: expect.stringMatching(
        /status must be placed or cancelled.*from must be an ISO 8601 instant|from must be an ISO 8601 instant.*status must be placed or cancelled/,
      ),
    })
  })

  it('cancels an order, its units back to onHand, once', async () => {
    const { admin, app, postCart } = await adminApp()
    await postCart({ session: 'abc', action: 'set', sku: 'sku-0', quantity: '2' })
    const order = (await (
      await app.request('/checkout', { method: 'POST', body: new URLSearchParams({ session: 'abc' }) })
    ).json()) as { id: string }
    const cancelled = await admin(`/admin/orders/${order.id}/cancel`, 'POST')
    expect(await cancelled.json()).toMatchObject({ order: { id: order.id, status: 'cancelled' } })
    expect((await admin(`/admin/orders/${order.id}/cancel`, 'POST')).status).toBe(409)
    expect((await admin('/admin/orders/no-such/cancel', 'POST')).status).toBe(404)
    expect(await (await app.request('/products/sku-0')).json()).toMatchObject({ product: { onHand: 5, held: 0 } })
    expect(await (await app.request(`/orders/${order.id}?session=abc`)).json()).toMatchObject({ status: 'cancelled' })
  })

  it('pages through the ledger and verifies it', async () => {
    const { admin, postCart } = await adminApp()
    await postCart({ session: 'abc', action: 'add', sku: 'sku-0' })
    const first = await (await admin('/admin/movements?limit=2')).json()
    expect(first).toMatchObject({ movements: [{ seq: 1 }, { seq: 2 }], next: 2 })
    const second = await (await admin('/admin/movements?after=2&limit=2')).json()
    expect(second).toMatchObject({
      movements: [{ seq: 3, kind: 'hold', actor: 'abc', time: new Date(0).toISOString() }],
      next: null,
    })
    expect(await (await admin('/admin/verify')).json()).toEqual({ ok: true })
  })

  it.each([
    ['/admin/products/socks', 'PUT', { name: '', onHand: '1' }, 'name must not be empty'],
    ['/admin/products/socks', 'PUT', { onHand: '1' }, 'name is required'],
    ['/admin/products/socks', 'PUT', { name: 'Socks', onHand: '-1' }, 'onHand must be a whole number'],
    ['/admin/products/sku-0/adjustments', 'POST', { delta: '1.5', reason: 'x' }, 'delta must be a whole number'],
    ['/admin/products/sku-0/adjustments', 'POST', { delta: '1' }, 'reason is required'],
    ['/admin/movements?limit=0', 'GET', undefined, 'limit must be a whole number from 1 to 1000'],
  ])('refuses %s %s %o with 400, changing nothing', async (path, method, fields, message) => {
    const { admin } = await adminApp()
    const answer = await admin(path, method, fields)
    expect(answer.status).toBe(400)
    expect(await answer.json()).toMatchObject({ error: 'invalid_request', message: expect.stringContaining(message) })
    expect(await (await admin('/admin/movements')).json()).toMatchObject({ movements: [{ seq: 1 }, { seq: 2 }] })
  })
})

const epochOf = async (app: { request: (path: string) => Promise<Response> }) =>
  ((await (await app.request('/products')).json()) as { epoch: string }).epoch
