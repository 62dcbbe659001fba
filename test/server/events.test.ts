import { describe, expect, it } from 'vitest'
import { epochOf, heldBy, postCart, useServers } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'
import { catalogFile, products } from '../helpers/catalogs.js'
import { openEventStream } from '../helpers/event-stream.js'
import { rawConnection, requestText } from '../helpers/raw-socket.js'
import type { Socket } from 'node:net'

describe('GET /events, through real sockets', () => {
  const start = useServers()

  it('sends the current stock at once, then one stock event per change, the epoch and version as its id', async () => {
    const server = await start()
    const epoch = await epochOf(server.url)
    const stream = await openEventStream(`${server.url}/events`)
    expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(stream.response.headers['x-accel-buffering']).toBe('no')

    expect(await stream.nextEvent()).toEqual({
      kind: 'event',
      event: 'stock',
      id: `${epoch}:0`,
      data: JSON.stringify({ inventoryCount: 10, totalInventory: 10, version: 0, epoch }),
    })
    await postCart(server.url, 'a', 'add')
    await postCart(server.url, 'b', 'add')
    const seen = [await stream.nextEvent(), await stream.nextEvent()].map((event) => [event.id, JSON.parse(event.data)])
    expect(seen).toEqual([
      [`${epoch}:1`, { inventoryCount: 9, totalInventory: 10, version: 1, epoch }],
      [`${epoch}:2`, { inventoryCount: 8, totalInventory: 10, version: 2, epoch }],
    ])
    stream.close()
  })

  it('resumes from Last-Event-ID: nothing at once when up to date, the current stock at once when behind', async () => {
    const server = await start()
    const epoch = await epochOf(server.url)
    await postCart(server.url, 'a', 'add')
    await postCart(server.url, 'b', 'add')

    const upToDate = await openEventStream(`${server.url}/events`, { 'Last-Event-ID': `${epoch}:2` })
    await expect(upToDate.nextEvent(300)).rejects.toThrow(/no message/)
    const behind = await openEventStream(`${server.url}/events?since=2`, { 'Last-Event-ID': `${epoch}:1` })
    expect((await behind.nextEvent()).id).toBe(`${epoch}:2`)
    const bySince = await openEventStream(`${server.url}/events?since=0&epoch=${epoch}`)
    expect((await bySince.nextEvent()).id).toBe(`${epoch}:2`)
    const bareVersion = await openEventStream(`${server.url}/events`, { 'Last-Event-ID': '2' })
    await expect(bareVersion.nextEvent(300)).rejects.toThrow(/no message/)

    await postCart(server.url, 'a', 'remove')
    for (const stream of [upToDate, behind, bySince, bareVersion])
      expect((await stream.nextEvent()).id).toBe(`${epoch}:3`)
    for (const stream of [upToDate, behind, bySince, bareVersion]) stream.close()
  })

  it('sends the current stock at once to a browser whose Last-Event-ID is of a stock that started again', async () => {
    const server = await start()
    await postCart(server.url, 'a', 'add')
    const stream = await openEventStream(`${server.url}/events`, { 'Last-Event-ID': 'a-server-before-a-restart:57' })
    const event = await stream.nextEvent()
    expect(event.id).toBe(`${await epochOf(server.url)}:1`)
    stream.close()
  })

  it('refuses a bad cursor with 400 and opens no stream', async () => {
    const server = await start()
    for (const [query, headers] of [
      ['?since=-1', {}],
      ['', { 'Last-Event-ID': 'abc' }],
    ] as const) {
      const response = await fetch(`${server.url}/events${query}`, { headers })
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({
        error: 'invalid_request',
        message: expect.stringMatching(/since|Last-Event-ID/),
      })
    }
    expect((await heldBy(server.url)).sse).toBe(0)
  })

  it('sends a comment heartbeat on an idle stream', async () => {
    const server = await start({ HEARTBEAT_SECONDS: '1' })
    const stream = await openEventStream(`${server.url}/events`)
    await stream.nextEvent()
    expect(await stream.next(2500)).toEqual({ kind: 'comment', text: 'heartbeat' })
    stream.close()
  })

  /** Everything a raw connection has been sent so far. */
  function received(socket: Socket): () => string {
    let text = ''
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
    return () => text
  }

  it('streams to an HTTP/1.0 client, its body the events as they are, not in chunks', async () => {
    const server = await start()
    const epoch = await epochOf(server.url)
    const socket = await rawConnection(server.url)
    const text = received(socket)
    socket.write(`GET /events HTTP/1.0\r\nHost: ${new URL(server.url).host}\r\n\r\n`)
    await eventually(() => text().includes('\n\n'), 2000)
    await postCart(server.url, 'a', 'add')
    await eventually(() => text().split('event: ').length === 3, 2000)
    socket.destroy()
    const [head, body] = text().split('\r\n\r\n')
    expect(head).not.toMatch(/transfer-encoding/i)
    const stock = (version: number, count: number) =>
      `event: stock\nid: ${epoch}:${version}\ndata: ${JSON.stringify({ inventoryCount: count, totalInventory: 10, version, epoch })}\n\n`
    expect(body).toBe(stock(0, 10) + stock(1, 9))
  })

  it('streams to a request pipelined behind a held poll on the same connection, once the poll is answered', async () => {
    const server = await start()
    const socket = await rawConnection(server.url)
    const text = received(socket)
    socket.write(requestText(server.url, '/status?since=0&timeout=30') + requestText(server.url, '/events'))
    await eventually(async () => (await heldBy(server.url)).longPoll === 1, 2000)
    await postCart(server.url, 'a', 'add')
    await eventually(() => /text\/event-stream[^]*"version":1,/.test(text()), 2000)
    await postCart(server.url, 'b', 'add')
    await eventually(() => text().includes('"version":2,'), 2000)
    socket.destroy()
    expect(text()).toMatch(/data: \{"inventoryCount":8,"totalInventory":10,"version":2,/)
  })

  it('counts each open stream in /healthz, and leaves no subscriber behind once clients close', async () => {
    const server = await start()
    const streams = await Promise.all([1, 2, 3].map(() => openEventStream(`${server.url}/events`)))
    await Promise.all(streams.map((stream) => stream.nextEvent()))
    expect(await heldBy(server.url)).toEqual({ longPoll: 0, sse: 3, ws: 0 })
    for (const stream of streams) stream.close()
    await eventually(async () => (await heldBy(server.url)).sse === 0, 2000)
  })

  it('ends every stream, after the latest stock, when the server shuts down', async () => {
    const server = await start()
    const stream = await openEventStream(`${server.url}/events`)
    await stream.nextEvent()
    await postCart(server.url, 'a', 'add')
    await Promise.all([
      server.close(),
      expect(stream.nextEvent()).resolves.toMatchObject({ id: expect.stringMatching(/:1$/) }),
    ])
    // Told to reconnect after a random wait, so that a fleet of browsers does not come back at once.
    expect(await stream.next()).toMatchObject({ kind: 'retry', ms: expect.any(Number) })
    await stream.ended()
  })

  describe('with a catalog', () => {
    const catalogServer = () => start({ CATALOG_FILE: catalogFile(products(3, 5)), MAX_PER_SESSION: '3' })
    const skusOf = (event: { data: string }) =>
      (JSON.parse(event.data) as { products: { sku: string }[] }).products.map(({ sku }) => sku)

    it('sends every product a stream watches first, then a products event for each change to them', async () => {
      const server = await catalogServer()
      const epoch = await epochOf(server.url)
      const stream = await openEventStream(`${server.url}/events?skus=sku-0,sku-2`)
      const first = await stream.nextEvent()
      expect(first).toMatchObject({ event: 'products', id: `${epoch}:0` })
      expect(skusOf(first)).toEqual(['sku-0', 'sku-2'])
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-1', quantity: '1' })
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-2', quantity: '3' })
      const next = await stream.nextEvent()
      expect(next.id).toBe(`${epoch}:2`)
      expect(JSON.parse(next.data)).toEqual({
        epoch,
        version: 2,
        products: [{ sku: 'sku-2', name: 'Product 2', onHand: 5, held: 3, available: 2, level: 'low', version: 2 }],
      })
      stream.close()
    })

    it('resumes the whole set from Last-Event-ID: only what moved since, across every product it watches', async () => {
      const server = await catalogServer()
      const epoch = await epochOf(server.url)
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-0', quantity: '1' })
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-1', quantity: '1' })
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-2', quantity: '1' })
      const resumed = await openEventStream(`${server.url}/events?skus=*`, { 'Last-Event-ID': `${epoch}:1` })
      const event = await resumed.nextEvent()
      expect(event.id).toBe(`${epoch}:3`)
      expect(skusOf(event).sort()).toEqual(['sku-1', 'sku-2'])
      resumed.close()
    })

    it('refuses a stream of an unknown product with 404 and opens nothing', async () => {
      const server = await catalogServer()
      const response = await fetch(`${server.url}/events?skus=sku-0,nope`)
      expect(response.status).toBe(404)
      expect(await response.json()).toMatchObject({ error: 'unknown_product' })
      expect((await heldBy(server.url)).sse).toBe(0)
    })
  })
})
