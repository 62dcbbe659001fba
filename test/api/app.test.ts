import { describe, expect, it } from 'vitest'
import { MemoryRepository } from '../../src/store/memory.js'
import { StoreUnavailableError } from '../../src/store/store-unavailable-error.js'
import { memoryStoreWith, testApp } from '../helpers/test-app.js'
import { eventually } from '../helpers/eventually.js'
import { track } from '../helpers/turns.js'
import { anyEpoch } from '../helpers/stock.js'

/** A store cut off from its shared state: it started, then every call fails. */
class CutOffStore extends MemoryRepository {
  down = false

  #fail(): void {
    if (this.down) throw new StoreUnavailableError('connection lost')
  }

  override async apply(...args: Parameters<MemoryRepository['apply']>) {
    this.#fail()
    return super.apply(...args)
  }

  override async cart(session: string) {
    this.#fail()
    return super.cart(session)
  }

  override async catalog(skus?: readonly string[]) {
    this.#fail()
    return super.catalog(skus)
  }

  override async check() {
    this.#fail()
  }
}

describe('POST /session', () => {
  it('mints a fresh shopper id that POST /cart accepts', async () => {
    const { app, postCart } = await testApp()
    const first = await app.request('/session', { method: 'POST' })
    const second = await app.request('/session', { method: 'POST' })
    expect(first.status).toBe(201)
    const { session } = await first.json()
    expect(session).toMatch(/^[A-Za-z0-9_-]{21}$/)
    expect((await second.json()).session).not.toBe(session)
    expect((await postCart({ session, action: 'add' })).status).toBe(200)
  })
})

describe('GET /inventory', () => {
  it('answers the stock at once, never cached', async () => {
    const { app, postCart } = await testApp()
    await postCart({ session: 'a', action: 'add' })
    const response = await app.request('/inventory')
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.json()).toEqual({ inventoryCount: 9, totalInventory: 10, version: 1, epoch: anyEpoch })
  })
})

describe('GET /healthz', () => {
  it('says the server is up, and how many clients it holds on each transport', async () => {
    const { app, whenHeld } = await testApp()
    const response = await app.request('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true, held: { longPoll: 0, sse: 0, ws: 0 } })

    void app.request('/status?since=0')
    void app.request('/status?since=0')
    await whenHeld(2)
    expect(await (await app.request('/healthz')).json()).toEqual({ ok: true, held: { longPoll: 2, sse: 0, ws: 0 } })
  })
})

describe('GET /readyz', () => {
  it('answers 200 while the store can serve, and 503 store_unavailable while it cannot', async () => {
    let store!: CutOffStore
    const { app } = await testApp({ store: memoryStoreWith((...made) => (store = new CutOffStore(...made))) })
    const ready = await app.request('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ ok: true })

    store.down = true
    const notReady = await app.request('/readyz')
    expect(notReady.status).toBe(503)
    expect(await notReady.json()).toEqual({ error: 'store_unavailable', message: expect.any(String) })
  })
})

describe('while the store is unavailable', () => {
  it('answers cart and stock requests with 503 store_unavailable and Retry-After', async () => {
    let store!: CutOffStore
    const { app, postCart } = await testApp({
      store: memoryStoreWith((...made) => (store = new CutOffStore(...made))),
    })
    store.down = true
    for (const response of [
      await postCart({ session: 'a', action: 'add' }),
      await app.request('/cart?session=a'),
      await app.request('/inventory'),
    ]) {
      expect(response.status).toBe(503)
      expect(response.headers.get('Retry-After')).toBe('1')
      expect(await response.json()).toEqual({
        error: 'store_unavailable',
        message: expect.stringContaining('try again'),
      })
    }
  })

  it('keeps holding long polls, and answers them when the store is back and changes', async () => {
    let store!: CutOffStore
    const { app, postCart, hub, whenHeld, roundTrip } = await testApp({
      store: memoryStoreWith((...made) => (store = new CutOffStore(...made))),
    })
    const poll = track(app.request('/status?since=0'))
    await whenHeld(1)
    store.down = true
    await postCart({ session: 'a', action: 'add' })
    await roundTrip()
    expect(poll.settled).toBe(false)
    expect(hub.held).toBe(1)

    store.down = false
    await postCart({ session: 'a', action: 'add' })
    await eventually(() => poll.settled)
    expect(await poll.value!.json()).toMatchObject({ version: 1 })
  })
})

describe('the page', () => {
  it.each([
    ['/', 'text/html', '<button id="add"'],
    ['/app.js', 'text/javascript', "from './client/index.js'"],
    ['/client/feeds.js', 'text/javascript', '`status?'],
    ['/client/tabs.js', 'text/javascript', 'navigator.locks'],
    ['/style.css', 'text/css', '.sold-out'],
  ])('serves %s as %s', async (path, type, content) => {
    const { app } = await testApp()
    const response = await app.request(path)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain(type)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.text()).toContain(content)
  })

  it("serves the page at a product's own path, beside /products/:sku, which stays JSON", async () => {
    const { app } = await testApp()
    const page = await app.request('/p/default')
    expect(page.headers.get('Content-Type')).toContain('text/html')
    expect(await page.text()).toContain('<div id="catalog"')
    expect((await app.request('/products/default')).headers.get('Content-Type')).toContain('application/json')
  })

  it('answers 404 with a message for the page of a product the catalog lacks', async () => {
    const { app } = await testApp()
    const page = await app.request('/p/no-such-thing')
    expect(page.status).toBe(404)
    expect(await page.json()).toEqual({ error: 'unknown_product', message: expect.stringContaining('no-such-thing') })
    expect((await app.request('/p/%3Cscript%3E')).status).toBe(400)
  })

  it.each(['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json'])(
    'serves nothing outside public/ for %s',
    async (path) => {
      const { app } = await testApp()
      const response = await app.request(path)
      expect(response.status).toBe(404)
    },
  )
})

describe('errors', () => {
  it('answers an unknown path with a JSON 404', async () => {
    const { app } = await testApp()
    const response = await app.request('/nothing-here')
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ error: 'not_found', message: 'there is nothing at GET /nothing-here' })
  })

  it.each([
    ['DELETE', '/cart', 'GET, POST'],
    ['PUT', '/status', 'GET'],
    ['GET', '/session', 'POST'],
    ['POST', '/inventory', 'GET'],
  ])('answers %s %s with 405 and the allowed methods', async (method, path, allowed) => {
    const { app, inventory } = await testApp()
    const response = await app.request(path, { method })
    expect(response.status).toBe(405)
    expect(response.headers.get('Allow')).toBe(allowed)
    expect(await response.json()).toMatchObject({ error: 'method_not_allowed' })
    expect(await inventory()).toMatchObject({ version: 0 })
  })

  it('answers a failure inside the server with a JSON 500 that leaks nothing', async () => {
    class BrokenStore extends MemoryRepository {
      override async apply(): Promise<never> {
        throw new Error('disk on fire at /var/secret')
      }
    }
    const { postCart } = await testApp({ store: memoryStoreWith((...made) => new BrokenStore(...made)) })
    const response = await postCart({ session: 'a', action: 'add' })
    expect(response.status).toBe(500)
    const body = await response.json()
    expect(body).toEqual({ error: 'internal_error', message: expect.any(String) })
    expect(JSON.stringify(body)).not.toContain('secret')
  })
})
