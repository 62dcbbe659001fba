import { describe, expect, it } from 'vitest'
import { catalogFile } from '../helpers/catalogs.js'
import { openEventStream } from '../helpers/event-stream.js'
import { testApp } from '../helpers/test-app.js'
import { connect } from '../helpers/websocket-client.js'

/** Counts no version, limit or time in these tests comes near, so that any of them in an answer is a leak. */
const CATALOG = [
  { sku: 'lamp', name: 'Lamp', onHand: 437 },
  { sku: 'vase', name: 'Vase', onHand: 312 },
]
const COUNTS = /\b(43\d|31\d)\b/
const COUNT_FIELDS = /"(onHand|held|available|inventoryCount|totalInventory)"/
const TOKEN = 'a-token-of-at-least-thirty-two-characters'

const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) })

describe('STOCK_DISPLAY=level', () => {
  it('tells shoppers no count on any public route, stream or refusal, and the admin every count', async () => {
    const { app, url } = await testApp({
      env: { CATALOG_FILE: catalogFile(CATALOG), STOCK_DISPLAY: 'level', MAX_PER_SESSION: '1000' },
      adminToken: TOKEN,
      cartTtlSeconds: 900,
    })
    const texts: string[] = []
    const read = async (path: string, init?: RequestInit) => {
      const answer = await app.request(path, init)
      texts.push(await answer.text())
      return answer
    }
    const stream = await openEventStream(`${url}/events?skus=*`)
    const classicStream = await openEventStream(`${url}/events`)
    const socket = await connect(url, '?skus=*')
    const classicSocket = await connect(url)
    for (const opened of [stream, classicStream]) texts.push((await opened.nextEvent()).data)
    for (const opened of [socket, classicSocket]) texts.push(JSON.stringify(await opened.next()))

    await read('/products')
    await read('/products/lamp')
    await read('/inventory')
    await read('/cart', form({ session: 'shopper', action: 'add' }))
    await read('/cart', form({ session: 'shopper', sku: 'vase', action: 'set', quantity: '2' }))
    expect(
      (await read('/cart', form({ session: 'shopper', sku: 'vase', action: 'set', quantity: '999' }))).status,
    ).toBe(409)
    await read('/cart?session=shopper')
    await read('/status?since=0&epoch=old')
    await read('/status?skus=*&since=0&epoch=old')
    // Nothing above moved a level, so the streams heard nothing; the admin's cut to 3 makes the lamp low.
    const cut = await app.request('/admin/products/lamp', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Lamp', onHand: 3 }),
    })
    expect(await cut.json()).toMatchObject({ product: { onHand: 3, held: 1, available: 2 } })
    for (const opened of [stream, classicStream]) texts.push((await opened.nextEvent()).data)
    for (const opened of [socket, classicSocket]) texts.push(JSON.stringify(await opened.next()))
    socket.send({ type: 'cart', session: 'by-socket', sku: 'lamp', action: 'add' })
    texts.push(JSON.stringify(await socket.next()))
    stream.close()
    classicStream.close()
    socket.socket.close()
    classicSocket.socket.close()

    const answers = texts.join('\n')
    expect(answers).toContain('"level":"in_stock"')
    expect(answers).toContain('"level":"low"')
    expect(answers).not.toMatch(COUNT_FIELDS)
    expect(answers).not.toMatch(COUNTS)
    expect(answers).not.toContain('nextLapseAt')
    expect(answers).toContain('not that many of vase are left')
  })

  it('wakes no watcher for a change that leaves the level as it was, and every watcher when it crosses', async () => {
    const { app, postCart, whenHeld, roundTrip } = await testApp({
      env: { CATALOG_FILE: catalogFile([{ sku: 'mug', name: 'Mug', onHand: 7 }]), STOCK_DISPLAY: 'level' },
    })
    const first = (await (await app.request('/status?skus=mug&since=0&epoch=old')).json()) as {
      version: number
      epoch: string
    }
    const poll = app.request(`/status?skus=mug&since=${first.version}&epoch=${first.epoch}`)
    await whenHeld(1)
    // 7 → 6 left: still in stock, above LOW_STOCK_AT (5).
    expect((await postCart({ session: 'a', sku: 'mug', action: 'add' })).status).toBe(200)
    await roundTrip()
    let answered = false
    void poll.then(() => (answered = true))
    await roundTrip()
    expect(answered).toBe(false)
    // 6 → 5 left: low.
    expect((await postCart({ session: 'b', sku: 'mug', action: 'add' })).status).toBe(200)
    expect(await (await poll).json()).toMatchObject({ products: [{ sku: 'mug', level: 'low' }] })
  })
})

describe('STOCK_DISPLAY=low', () => {
  it('tells how many are left only at or under LOW_STOCK_AT', async () => {
    const { app, postCart } = await testApp({
      env: {
        CATALOG_FILE: catalogFile([{ sku: 'mug', name: 'Mug', onHand: 4 }, ...CATALOG]),
        STOCK_DISPLAY: 'low',
        LOW_STOCK_AT: '4',
        MAX_PER_SESSION: '10',
      },
    })
    const { products } = (await (await app.request('/products')).json()) as { products: object[] }
    expect(products).toEqual([
      { sku: 'mug', name: 'Mug', available: 4, level: 'low', version: 0 },
      { sku: 'lamp', name: 'Lamp', level: 'in_stock', version: 0 },
      { sku: 'vase', name: 'Vase', level: 'in_stock', version: 0 },
    ])
    const refused = await postCart({ session: 's', sku: 'mug', action: 'set', quantity: '5' })
    expect(await refused.json()).toMatchObject({ error: 'sold_out', available: 4, message: 'only 4 of mug are left' })
    expect(await (await app.request('/inventory')).json()).toEqual({
      inventoryCount: 4,
      level: 'low',
      version: 0,
      epoch: expect.any(String),
    })
  })
})

describe('SHOW_HOLDS=true', () => {
  const START = Date.parse('2026-12-04T12:00:00.000Z')

  it('tells shoppers what carts hold and when the next hold lapses, and wakes them when it moves', async () => {
    const { app, clock, postCart, whenHeld } = await testApp({
      env: { CATALOG_FILE: catalogFile(CATALOG), STOCK_DISPLAY: 'level', SHOW_HOLDS: 'true', MAX_PER_SESSION: '5' },
      cartTtlSeconds: 600,
    })
    clock.advance(START)
    const catalog = async () => (await (await app.request('/products')).json()) as { epoch: string; products: object[] }
    const lampOf = async () => (await catalog()).products[0]
    expect(await lampOf()).toEqual({ sku: 'lamp', name: 'Lamp', held: 0, level: 'in_stock', version: 0 })
    await postCart({ session: 'a', sku: 'lamp', action: 'set', quantity: '2' })
    clock.advance(60_000)
    await postCart({ session: 'b', sku: 'lamp', action: 'add' })
    expect(await lampOf()).toEqual({
      sku: 'lamp',
      name: 'Lamp',
      held: 3,
      level: 'in_stock',
      nextLapseAt: '2026-12-04T12:10:00.000Z',
      version: 2,
    })

    const poll = app.request(`/status?skus=lamp&since=2&epoch=${(await catalog()).epoch}`)
    await whenHeld(1)
    // a's renewal leaves b's hold the first to lapse: news, though no unit moved.
    await postCart({ session: 'a', sku: 'lamp', action: 'set', quantity: '2' })
    expect(await (await poll).json()).toMatchObject({
      version: 3,
      products: [{ sku: 'lamp', held: 3, nextLapseAt: '2026-12-04T12:11:00.000Z' }],
    })
    expect(await (await app.request('/cart?session=a')).json()).toMatchObject({
      lines: [{ sku: 'lamp', quantity: 2, holdExpiresInSeconds: 600, product: { held: 3 } }],
    })
  })
})
