import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { MAX_FRAME_BYTES } from '../../src/gateway/websocket.js'
import { heldBy, postCart, useServers } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'
import { catalogFile, products } from '../helpers/catalogs.js'
import { anyEpoch } from '../helpers/stock.js'
import { connect } from '../helpers/websocket-client.js'

const stockFrame = (inventoryCount: number, version: number) => ({
  type: 'stock',
  inventoryCount,
  totalInventory: 10,
  version,
  epoch: anyEpoch,
})

describe('GET /ws, through real sockets', () => {
  const start = useServers()

  it('sends the current stock on connect, then every change', async () => {
    const server = await start()
    await postCart(server.url, 'a', 'add')
    const client = await connect(server.url)
    expect(await client.next()).toEqual(stockFrame(9, 1))
    await postCart(server.url, 'b', 'add')
    expect(await client.next()).toEqual(stockFrame(8, 2))
    client.socket.close()
  })

  it('changes a cart from a frame and answers with the result, which every client then sees', async () => {
    const server = await start()
    const shopper = await connect(server.url)
    const watcher = await connect(server.url)
    await shopper.next()
    await watcher.next()

    shopper.send({ type: 'cart', session: 'ws-shopper', action: 'add' })
    const frames = [await shopper.next(), await shopper.next()]
    expect(frames).toContainEqual({
      type: 'cart-result',
      inventoryCount: 9,
      totalInventory: 10,
      version: 1,
      epoch: anyEpoch,
      inCart: true,
      holdExpiresInSeconds: 900,
    })
    expect(frames).toContainEqual(stockFrame(9, 1))
    expect(await watcher.next()).toEqual(stockFrame(9, 1))
    const cart = await (await fetch(`${server.url}/cart?session=ws-shopper`)).json()
    expect(cart).toMatchObject({ inCart: true })
  })

  it('answers a bad frame with an error frame, changes nothing, and keeps the connection open', async () => {
    const server = await start({ TOTAL_INVENTORY: '1' })
    const client = await connect(server.url)
    await client.next()
    const cases: [unknown, string, RegExp][] = [
      ['not json', 'invalid_request', /not valid JSON/],
      [
        '{"type":"cart","session":"s","session":"t","action":"add"}',
        'invalid_request',
        /names "session" more than once/,
      ],
      [[1, 2], 'invalid_request', /must be a command/],
      [{ type: 'buy', session: 's', action: 'add' }, 'invalid_request', /type must be 'cart'/],
      [{ type: 'cart', session: 'bad id!', action: 'add' }, 'invalid_request', /session must be/],
      [{ type: 'cart', session: 's' }, 'invalid_request', /action is required/],
    ]
    for (const [frame, error, message] of cases) {
      client.send(frame)
      expect(await client.next()).toEqual({ type: 'error', error, message: expect.stringMatching(message) })
    }
    client.socket.send(Buffer.from('{}'), { binary: true })
    expect(await client.next()).toMatchObject({
      type: 'error',
      error: 'invalid_request',
      message: expect.stringMatching(/text frames/),
    })

    await postCart(server.url, 'first', 'add')
    expect(await client.next()).toEqual({ ...stockFrame(0, 1), totalInventory: 1 })
    client.send({ type: 'cart', session: 'second', action: 'add' })
    expect(await client.next()).toMatchObject({ type: 'error', error: 'sold_out' })
    expect(client.socket.readyState).toBe(client.socket.OPEN)
    expect(await (await fetch(`${server.url}/inventory`)).json()).toMatchObject({ inventoryCount: 0, version: 1 })
  })

  it('closes with 1009 a frame over the largest a client needs to send', async () => {
    const server = await start()
    const client = await connect(server.url)
    await client.next()
    client.send({ type: 'cart', session: 'x'.repeat(MAX_FRAME_BYTES), action: 'add' })
    const [code] = (await once(client.socket, 'close')) as [number]
    expect(code).toBe(1009)
  })

  it('counts open sockets in /healthz, back to 0 once clients close', async () => {
    const server = await start()
    const clients = await Promise.all([1, 2].map(() => connect(server.url)))
    await Promise.all(clients.map((client) => client.next()))
    expect(await heldBy(server.url)).toEqual({ longPoll: 0, sse: 0, ws: 2 })
    for (const client of clients) client.socket.close()
    await eventually(async () => (await heldBy(server.url)).ws === 0, 2000)
  })

  it('answers a plain GET with 426 and closes every socket with 1001 when the server shuts down', async () => {
    const server = await start()
    const plain = await fetch(`${server.url}/ws`)
    expect(plain.status).toBe(426)
    expect(await plain.json()).toMatchObject({ error: 'upgrade_required' })

    const client = await connect(server.url)
    await client.next()
    const closed = once(client.socket, 'close')
    await server.close()
    expect(((await closed) as [number])[0]).toBe(1001)
  })

  describe('with a catalog', () => {
    const catalogServer = () => start({ CATALOG_FILE: catalogFile(products(3, 5)), MAX_PER_SESSION: '3' })
    const skusOf = (frame: Record<string, unknown>) => (frame.products as { sku: string }[]).map(({ sku }) => sku)

    it('follows the products named in the query: all of them first, then each change', async () => {
      const server = await catalogServer()
      const client = await connect(server.url, '?skus=sku-1')
      const first = await client.next()
      expect(first).toMatchObject({ type: 'products', version: 0 })
      expect(skusOf(first)).toEqual(['sku-1'])
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-0', quantity: '1' })
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-1', quantity: '2' })
      expect(await client.next()).toEqual({
        type: 'products',
        epoch: anyEpoch,
        version: 2,
        products: [{ sku: 'sku-1', name: 'Product 1', onHand: 5, held: 2, available: 3, level: 'low', version: 2 }],
      })
      client.socket.close()
    })

    it('subscribes and unsubscribes by frame, on a socket that began as the classic one, and changes carts by frame', async () => {
      const server = await catalogServer()
      const client = await connect(server.url)
      expect(await client.next()).toMatchObject({ type: 'stock', inventoryCount: 5, totalInventory: 5 })
      client.send({ type: 'subscribe', skus: ['sku-2'] })
      expect(skusOf(await client.next())).toEqual(['sku-2'])
      client.send({ type: 'subscribe', skus: ['sku-1'] })
      expect(skusOf(await client.next())).toEqual(['sku-1'])
      client.send({ type: 'unsubscribe', skus: ['sku-2'] })
      client.send({ type: 'cart', session: 'ws', sku: 'sku-2', action: 'set', quantity: 2 })
      expect(await client.next()).toMatchObject({ type: 'cart-result', line: { sku: 'sku-2', quantity: 2 } })
      client.send({ type: 'cart', session: 'ws', sku: 'sku-1', action: 'set', quantity: 1 })
      const frames = [await client.next(), await client.next()]
      expect(frames).toContainEqual(
        expect.objectContaining({ type: 'cart-result', line: expect.objectContaining({ sku: 'sku-1' }) }),
      )
      expect(frames.filter((frame) => frame.type === 'products').map(skusOf)).toEqual([['sku-1']])
      client.send({ type: 'subscribe', skus: ['nope'] })
      expect(await client.next()).toMatchObject({ type: 'error', error: 'unknown_product' })
      client.send({ type: 'subscribe', skus: [] })
      expect(await client.next()).toMatchObject({
        type: 'error',
        error: 'invalid_request',
        message: expect.stringMatching(/skus must be/),
      })
      client.socket.close()
    })

    it('resumes a whole-catalog subscription from its cursor: only what moved since', async () => {
      const server = await catalogServer()
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-0', quantity: '1' })
      await postCart(server.url, 's', 'set', {}, { sku: 'sku-2', quantity: '1' })
      const client = await connect(server.url)
      await client.next()
      client.send({ type: 'subscribe', skus: '*', since: 1 })
      const frame = await client.next()
      expect(frame).toMatchObject({ type: 'products', version: 2 })
      expect(skusOf(frame)).toEqual(['sku-2'])
      client.socket.close()
    })
  })
})
