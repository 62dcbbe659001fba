import { describe, expect, it } from 'vitest'
import { MAX_PRODUCT_SERIES } from '../../src/metrics.js'
import { catalogFile, products } from '../helpers/catalogs.js'
import { testApp } from '../helpers/test-app.js'

/** The value of one sample line of a Prometheus text exposition, or undefined when it is not there. */
const sample = (text: string, name: string) => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

describe('GET /metrics', () => {
  it('counts cart actions by result, changes, fan-outs, held requests by transport and requests by route', async () => {
    const { app, postCart, whenHeld } = await testApp({ env: { TOTAL_INVENTORY: '1' } })
    const poll = app.request('/status?since=0')
    await whenHeld(1)
    let text = await (await app.request('/metrics')).text()
    expect(sample(text, 'stockpoll_held{transport="longPoll"}')).toBe(1)
    expect(sample(text, 'stockpoll_held{transport="sse"}')).toBe(0)

    await postCart({ session: 'a', action: 'add' })
    await postCart({ session: 'b', action: 'add' })
    await postCart({ session: 'b', action: 'fly' })
    await poll

    const response = await app.request('/metrics')
    expect(response.headers.get('Content-Type')).toMatch(/^text\/plain/)
    text = await response.text()
    expect(sample(text, 'stockpoll_cart_actions_total{result="ok"}')).toBe(1)
    expect(sample(text, 'stockpoll_cart_actions_total{result="sold_out"}')).toBe(1)
    expect(sample(text, 'stockpoll_cart_actions_total{result="invalid_request"}')).toBe(1)
    expect(sample(text, 'stockpoll_changes_total')).toBe(1)
    expect(sample(text, 'stockpoll_fan_out_duration_seconds_count')).toBe(1)
    expect(sample(text, 'stockpoll_held{transport="longPoll"}')).toBe(0)
    expect(sample(text, 'stockpoll_http_requests_total{route="/cart",status="200"}')).toBe(1)
    expect(sample(text, 'stockpoll_http_requests_total{route="/cart",status="409"}')).toBe(1)
    expect(sample(text, 'stockpoll_http_requests_total{route="/cart",status="400"}')).toBe(1)
  })

  it("reads each product's stock, the catalog's totals, checkouts by result and Node's own process figures", async () => {
    const { app, postCart } = await testApp({
      env: { CATALOG_FILE: catalogFile(products(2, 3)), MAX_PER_SESSION: '3' },
    })
    await postCart({ session: 'a', sku: 'sku-0', action: 'set', quantity: '3' })
    await postCart({ session: 'b', sku: 'sku-1', action: 'set', quantity: '1' })
    const checkout = (session: string) =>
      app.request('/checkout', { method: 'POST', body: new URLSearchParams({ session }) })
    await checkout('b')
    await checkout('nobody')
    const text = await (await app.request('/metrics')).text()
    expect(sample(text, 'stockpoll_product_available{sku="sku-0"}')).toBe(0)
    expect(sample(text, 'stockpoll_product_held{sku="sku-0"}')).toBe(3)
    expect(sample(text, 'stockpoll_product_available{sku="sku-1"}')).toBe(2)
    expect(sample(text, 'stockpoll_product_held{sku="sku-1"}')).toBe(0)
    expect(sample(text, 'stockpoll_products{state="all"}')).toBe(2)
    expect(sample(text, 'stockpoll_products{state="sold_out"}')).toBe(1)
    expect(sample(text, 'stockpoll_checkouts_total{result="ok"}')).toBe(1)
    expect(sample(text, 'stockpoll_checkouts_total{result="cart_empty"}')).toBe(1)
    expect(sample(text, 'stockpoll_ready')).toBe(1)
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
  })

  it('gives no series per product past MAX_PRODUCT_SERIES products, only the totals', async () => {
    const { app } = await testApp({ env: { CATALOG_FILE: catalogFile(products(MAX_PRODUCT_SERIES + 1, 1)) } })
    const text = await (await app.request('/metrics')).text()
    expect(text).not.toContain('stockpoll_product_available{')
    expect(sample(text, 'stockpoll_products{state="all"}')).toBe(MAX_PRODUCT_SERIES + 1)
  })
})
