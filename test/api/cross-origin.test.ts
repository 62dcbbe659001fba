import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

const SHOP = 'https://shop.example'
const TOKEN = 'a-token-of-at-least-thirty-two-characters'
const ALLOWED = { ALLOWED_ORIGINS: `${SHOP}, http://localhost:8080` }

/** A preflight as a browser sends it before a cross-origin request it may not send unasked. */
const preflight = (origin: string, method: string, headers: string) => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
})

const JSON_ADD = (origin: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { Origin: origin, 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify({ session: 'cross-origin-shopper', action: 'add' }),
})

/** The CORS headers of an answer, by name; a missing one is absent. */
const corsOf = (response: Response) =>
  Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
  ) as Record<string, string>

describe('pages on the allowed origins', () => {
  it('may send a JSON cart action with an Idempotency-Key once the preflight allows it, and read the answer', async () => {
    const { app, inventory } = await testApp({ env: ALLOWED })
    const asked = await app.request('/cart', preflight(SHOP, 'POST', 'content-type,idempotency-key'))
    expect(asked.status).toBe(204)
    const allowed = corsOf(asked)
    expect(allowed['access-control-allow-origin']).toBe(SHOP)
    expect(allowed['access-control-allow-methods']?.split(',')).toContain('POST')
    expect(allowed['access-control-allow-headers']?.toLowerCase().split(',')).toEqual(
      expect.arrayContaining(['content-type', 'idempotency-key', 'last-event-id']),
    )
    expect(Number(allowed['access-control-max-age'])).toBeGreaterThan(0)
    expect(allowed.vary).toContain('Origin')

    const added = await app.request('/cart', JSON_ADD(SHOP, { 'Idempotency-Key': 'add-1' }))
    expect(added.status).toBe(200)
    expect(corsOf(added)['access-control-allow-origin']).toBe(SHOP)
    expect(corsOf(added).vary).toContain('Origin')
    const exposed = corsOf(added)['access-control-expose-headers']?.toLowerCase().split(/,\s*/)
    expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'idempotent-replayed']))
    expect(await inventory()).toMatchObject({ inventoryCount: 9 })
  })

  it('may read refusals too, with what they expose', async () => {
    const { app } = await testApp({ env: { ...ALLOWED, CART_RATE_PER_SESSION: '1' } })
    const bad = await app.request('/cart', {
      ...JSON_ADD(SHOP),
      body: JSON.stringify({ session: 's', action: 'buy' }),
    })
    expect(bad.status).toBe(400)
    expect(corsOf(bad)['access-control-allow-origin']).toBe(SHOP)
    const unknown = await app.request('/products/no-such-thing', { headers: { Origin: SHOP } })
    expect(unknown.status).toBe(404)
    expect(corsOf(unknown)['access-control-allow-origin']).toBe(SHOP)
  })

  it('may read the products, a long poll and an event stream, and ask to resume a stream by Last-Event-ID', async () => {
    const { app } = await testApp({ env: ALLOWED })
    const headers = { Origin: SHOP }
    for (const path of ['/products', '/inventory', '/status?since=0&epoch=old', '/status?skus=*&since=0&epoch=old']) {
      const answer = await app.request(path, { headers })
      expect(answer.status, path).toBe(200)
      expect(corsOf(answer)['access-control-allow-origin'], path).toBe(SHOP)
      expect(corsOf(answer).vary, path).toContain('Origin')
    }
    const stream = await app.request('/events', { headers })
    expect(stream.status).toBe(200)
    expect(corsOf(stream)['access-control-allow-origin']).toBe(SHOP)
    await stream.body?.cancel()

    const asked = await app.request('/events', preflight(SHOP, 'GET', 'last-event-id'))
    expect(asked.status).toBe(204)
    expect(corsOf(asked)['access-control-allow-origin']).toBe(SHOP)
    expect(corsOf(asked)['access-control-allow-headers']?.toLowerCase()).toContain('last-event-id')
  })
})

describe('pages on any other origin', () => {
  it('are refused a preflight, and the answers they get say nothing they may read', async () => {
    const { app, inventory } = await testApp({ env: ALLOWED })
    const evil = 'https://evil.example'
    const asked = await app.request('/cart', preflight(evil, 'POST', 'content-type'))
    expect(asked.status).toBe(403)
    expect(await asked.json()).toMatchObject({ error: 'cross_origin' })
    expect(corsOf(asked)['access-control-allow-origin']).toBeUndefined()

    expect((await app.request('/cart', JSON_ADD(evil))).status).toBe(403)
    for (const path of ['/products', '/status?since=0&epoch=old', '/events']) {
      const answer = await app.request(path, { headers: { Origin: evil } })
      expect(corsOf(answer)['access-control-allow-origin'], path).toBeUndefined()
      expect(corsOf(answer).vary, path).toContain('Origin')
      await answer.body?.cancel()
    }
    expect(await inventory()).toMatchObject({ inventoryCount: 10, version: 0 })
  })

  it('never read the admin API, not even from an allowed origin', async () => {
    const { app } = await testApp({ env: ALLOWED, adminToken: TOKEN })
    const asked = await app.request('/admin/verify', preflight(SHOP, 'GET', 'authorization'))
    expect(corsOf(asked)['access-control-allow-origin']).toBeUndefined()
    const answer = await app.request('/admin/verify', { headers: { Origin: SHOP, Authorization: `Bearer ${TOKEN}` } })
    expect(answer.status).toBe(200)
    expect(corsOf(answer)['access-control-allow-origin']).toBeUndefined()
  })
})

describe('without ALLOWED_ORIGINS', () => {
  it('answers with no CORS header at all, whoever asks', async () => {
    const { app } = await testApp()
    for (const origin of [SHOP, 'http://localhost']) {
      for (const path of ['/products', '/status?since=0&epoch=old', '/cart?session=s']) {
        const answer = await app.request(path, { headers: { Origin: origin } })
        expect(corsOf(answer), `${origin} ${path}`).toEqual({})
      }
    }
    const asked = await app.request('/events', { method: 'OPTIONS' })
    expect(asked.status).toBe(405)
    expect(asked.headers.get('Allow')).toBe('GET')
  })
})
