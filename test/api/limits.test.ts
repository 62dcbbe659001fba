import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { testApp } from '../helpers/test-app.js'

const form = (fields: Record<string, string>) => new URLSearchParams(fields)

describe('limits that answer', () => {
  it('refuses a client past MAX_WAITERS_PER_IP held requests with 429, and takes it again once one is answered', async () => {
    const { app, postCart, whenHeld } = await testApp({ env: { MAX_WAITERS_PER_IP: '2' } })
    const held = [app.request('/status?since=0'), app.request('/status?since=0')]
    await whenHeld(2)
    const refused = await app.request('/status?since=0')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('Retry-After')).toBe('5')
    expect(await refused.json()).toMatchObject({ error: 'too_many_held' })

    await postCart({ session: 's', action: 'add' })
    expect((await Promise.all(held)).map((response) => response.status)).toEqual([200, 200])
    const again = app.request('/status?since=1')
    await whenHeld(1)
    expect((await (await app.request('/healthz')).json()).held.longPoll).toBe(1)
    await postCart({ session: 's', action: 'remove' })
    expect((await again).status).toBe(200)
  })

  describe('with time that moves only when the test says', () => {
    // rate-limiter-flexible reads Date.now(), not the app's clock.
    beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
    afterEach(() => void vi.useRealTimers())

    it('limits cart actions per session: as many again in a burst, then 429 with Retry-After until the next second', async () => {
      const { postCart, inventory } = await testApp({ env: { CART_RATE_PER_SESSION: '1' } })
      expect((await postCart({ session: 'fast', action: 'add' })).status).toBe(200)
      expect((await postCart({ session: 'fast', action: 'remove' })).status).toBe(200)
      const refused = await postCart({ session: 'fast', action: 'add' })
      expect(refused.status).toBe(429)
      expect(refused.headers.get('Retry-After')).toBe('1')
      expect(await refused.json()).toMatchObject({
        error: 'rate_limited',
        message: expect.stringMatching(/this session/),
      })
      expect(await inventory()).toMatchObject({ inventoryCount: 10, version: 2 })

      expect((await postCart({ session: 'other', action: 'add' })).status).toBe(200)
      vi.advanceTimersByTime(1000)
      expect((await postCart({ session: 'fast', action: 'add' })).status).toBe(200)
      // The burst is spent until its window of 10 s is over.
      expect((await postCart({ session: 'fast', action: 'remove' })).status).toBe(429)
      vi.advanceTimersByTime(9000)
      expect((await postCart({ session: 'fast', action: 'remove' })).status).toBe(200)
      expect((await postCart({ session: 'fast', action: 'add' })).status).toBe(200)
    })

    it('limits cart actions per client address, whatever the session', async () => {
      const { postCart } = await testApp({ env: { CART_RATE_PER_IP: '1' } })
      expect((await postCart({ session: 'a', action: 'add' })).status).toBe(200)
      expect((await postCart({ session: 'b', action: 'add' })).status).toBe(200)
      const refused = await postCart({ session: 'c', action: 'add' })
      expect(refused.status).toBe(429)
      expect(await refused.json()).toMatchObject({
        error: 'rate_limited',
        message: expect.stringMatching(/this address/),
      })
      vi.advanceTimersByTime(1000)
      expect((await postCart({ session: 'c', action: 'add' })).status).toBe(200)
    })
  })
})

describe('browser protection', () => {
  const post = (app: Awaited<ReturnType<typeof testApp>>['app'], headers: Record<string, string>) =>
    app.request('/cart', { method: 'POST', headers, body: form({ session: 's', action: 'add' }) })

  it("refuses a POST from another site's page with 403, and changes nothing", async () => {
    const { app, inventory } = await testApp()
    const response = await post(app, { Origin: 'https://evil.example' })
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({
      error: 'cross_origin',
      message: 'requests from pages at https://evil.example may not change carts here',
    })
    expect(await inventory()).toMatchObject({ inventoryCount: 10, version: 0 })
  })

  it("takes a POST from the shop's own page, from ALLOWED_ORIGINS, and from clients that send no Origin", async () => {
    const { app } = await testApp({ env: { ALLOWED_ORIGINS: 'https://shop.example' } })
    expect((await post(app, { Origin: 'http://localhost' })).status).toBe(200)
    expect((await post(app, { Origin: 'https://shop.example' })).status).toBe(200)
    expect((await post(app, {})).status).toBe(200)
    expect((await app.request('/inventory', { headers: { Origin: 'https://evil.example' } })).status).toBe(200)
  })

  it('refuses a request sent to a host the shop is not known by with 403, as a DNS-rebinding page sends it', async () => {
    const { app, inventory } = await testApp()
    // The attacker's page is same-origin with itself, so its Origin passes; its Host does not.
    const response = await post(app, { Host: 'attacker.example', Origin: 'http://attacker.example' })
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({
      error: 'host_not_allowed',
      message: 'this server does not answer for the host "attacker.example"',
    })
    expect((await app.request('/inventory', { headers: { Host: 'attacker.example:3000' } })).status).toBe(403)
    expect(await inventory()).toMatchObject({ inventoryCount: 10, version: 0 })
    for (const host of ['localhost:3000', '127.0.0.1', '[::1]:8080', 'LOCALHOST']) {
      expect((await app.request('/inventory', { headers: { Host: host } })).status).toBe(200)
    }
  })

  it('answers for any host with ALLOWED_HOSTS=*', async () => {
    const { app } = await testApp({ env: { ALLOWED_HOSTS: '*' } })
    expect((await app.request('/inventory', { headers: { Host: 'anything.example' } })).status).toBe(200)
  })

  it('sends the page with a policy that allows only its own scripts, styles and connections', async () => {
    const { app } = await testApp()
    for (const path of ['/', '/app.js']) {
      const headers = (await app.request(path)).headers
      const policy = headers.get('Content-Security-Policy') ?? ''
      expect(policy).toContain("script-src 'self'")
      expect(policy).toContain("style-src 'self'")
      expect(policy).toContain("connect-src 'self'")
      expect(policy).toContain("frame-ancestors 'none'")
      // Browsers that know no CSP are told the same: no site may frame the page, its own included.
      expect(headers.get('X-Frame-Options')).toBe('DENY')
      expect(policy).not.toContain('unsafe-inline')
      expect(headers.get('X-Content-Type-Options')).toBe('nosniff')
    }
  })
})
