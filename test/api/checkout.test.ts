import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { testApp } from '../helpers/test-app.js'

const CATALOG = { CATALOG_FILE: catalogFile(products(2, 3)), MAX_PER_SESSION: '3' }

describe('POST /checkout', () => {
  it("sells the session's whole cart and answers 201 with the order, which GET /orders shows that session", async () => {
    const { app, postCart } = await testApp({ env: CATALOG })
    await postCart({ session: 'abc', action: 'set', sku: 'sku-0', quantity: '2' })
    await postCart({ session: 'abc', action: 'add', sku: 'sku-1' })
    const answer = await app.request('/checkout', { method: 'POST', body: new URLSearchParams({ session: 'abc' }) })
    expect(answer.status).toBe(201)
    const order = (await answer.json()) as { id: string }
    expect(order).toEqual({
      id: expect.stringMatching(/^[\w-]{21}$/),
      session: 'abc',
      status: 'placed',
      createdAt: new Date(0).toISOString(),
      lines: [
        { sku: 'sku-0', name: 'Product 0', quantity: 2 },
        { sku: 'sku-1', name: 'Product 1', quantity: 1 },
      ],
    })
    expect(await (await app.request('/products')).json()).toMatchObject({
      products: [
        { sku: 'sku-0', onHand: 1, held: 0, available: 1 },
        { sku: 'sku-1', onHand: 2, held: 0, available: 2 },
      ],
    })
    expect(await (await app.request('/cart?session=abc')).json()).toMatchObject({ lines: [] })
    const shown = await app.request(`/orders/${order.id}?session=abc`)
    expect(await shown.json()).toEqual(order)
    for (const other of [`/orders/${order.id}?session=xyz`, '/orders/nothing-here?session=abc']) {
      const refused = await app.request(other)
      expect(refused.status).toBe(404)
      expect(await refused.json()).toMatchObject({ error: 'order_not_found' })
    }
  })

  it('takes JSON, and gives a retry under the same Idempotency-Key the same order, marked replayed', async () => {
    const { app, postCart } = await testApp()
    await postCart({ session: 'abc', action: 'add' })
    const checkout = () =>
      app.request('/checkout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'order-1' },
        body: JSON.stringify({ session: 'abc' }),
      })
    const first = await checkout()
    await postCart({ session: 'abc', action: 'add' })
    const again = await checkout()
    expect(again.status).toBe(201)
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await again.json()).toEqual(await first.json())
    expect(await (await app.request('/inventory')).json()).toMatchObject({ inventoryCount: 8, totalInventory: 9 })
  })

  it('refuses an empty cart, and a lapsed line whose units are gone, with 409 and nothing sold', async () => {
    const { app, postCart, clock } = await testApp({ env: CATALOG, cartTtlSeconds: 60 })
    const checkout = (session: string) =>
      app.request('/checkout', { method: 'POST', body: new URLSearchParams({ session }) })
    const empty = await checkout('abc')
    expect(empty.status).toBe(409)
    expect(await empty.json()).toEqual({ error: 'cart_empty', message: expect.any(String) })

    await postCart({ session: 'abc', action: 'set', sku: 'sku-0', quantity: '3' })
    clock.advance(60_000)
    for (let i = 0; i < 3; i++) {
      clock.advance(1000)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await postCart({ session: 'xyz', action: 'add', sku: 'sku-0' })
    const short = await checkout('abc')
    expect(short.status).toBe(409)
    expect(await short.json()).toEqual({
      error: 'insufficient_stock',
      message: 'only 2 of sku-0 left: the hold lapsed, and nothing was sold',
      lines: [{ sku: 'sku-0', quantity: 3, available: 2 }],
    })
    expect(await (await app.request('/products/sku-0')).json()).toMatchObject({ product: { onHand: 3, held: 1 } })
  })

  it.each([
    [{}, 'session is required'],
    [{ session: 'no spaces' }, 'session must be'],
  ])('refuses %o with 400, selling nothing', async (fields, message) => {
    const { app } = await testApp()
    const answer = await app.request('/checkout', { method: 'POST', body: new URLSearchParams(fields) })
    expect(answer.status).toBe(400)
    expect(await answer.json()).toMatchObject({ error: 'invalid_request', message: expect.stringContaining(message) })
  })

  it("checks out only with CHECKOUT_TOKEN under CHECKOUT=backend: the shop's back end, once it has taken payment", async () => {
    const token = 'a-back-end-token-of-at-least-32-characters'
    const { app, postCart } = await testApp({ env: { CHECKOUT: 'backend', CHECKOUT_TOKEN: token } })
    expect(await (await app.request('/products')).json()).toMatchObject({ checkout: 'backend' })
    await postCart({ session: 'abc', action: 'add' })
    const checkout = (headers: Record<string, string>) =>
      app.request('/checkout', { method: 'POST', headers, body: new URLSearchParams({ session: 'abc' }) })
    for (const headers of [{}, { Authorization: 'Bearer a-shopper-guessing-the-back-end-token-xx' }]) {
      const refused = await checkout(headers)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="stockpoll checkout"/)
      expect(await refused.json()).toMatchObject({
        error: 'unauthorized',
        message: expect.stringContaining('CHECKOUT_TOKEN'),
      })
    }
    expect(await (await app.request('/cart?session=abc')).json()).toMatchObject({ inCart: true })
    const sold = await checkout({ Authorization: `Bearer ${token}` })
    expect(sold.status).toBe(201)
    expect(await sold.json()).toMatchObject({ session: 'abc', lines: [{ sku: 'default', quantity: 1 }] })
  })

  it('answers 405 to a GET, and 400 to GET /orders without its session', async () => {
    const { app } = await testApp()
    expect((await app.request('/checkout')).status).toBe(405)
    expect(await (await app.request('/orders/abc')).json()).toMatchObject({ error: 'invalid_request' })
  })
})
