import WebSocket from 'ws'
import { describe, expect, it } from 'vitest'
import { connect, type Stockpoll } from 'stockpoll/client'
import type { Product } from '../../public/client/types.js'
import { catalogFile } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { heldBy, postCart, useServers } from '../helpers/running-server.js'

const CATALOG = [
  { sku: 'tee', name: 'Tee', onHand: 10 },
  { sku: 'cap', name: 'Cap', onHand: 4 },
]

/** The next stock `client` hears of `sku` that `wanted` accepts. */
function nextStock(client: Stockpoll, sku: string, wanted: (product: Product) => boolean): Promise<Product> {
  return new Promise((resolve) => {
    const stop = client.watch([sku], (products) => {
      const product = products.find((each) => each.sku === sku)
      if (product && wanted(product)) {
        stop()
        resolve(product)
      }
    })
  })
}

describe('the client, in a Node back end', { timeout: 15_000 }, () => {
  const start = useServers()

  it.each([
    ['longpoll', {}],
    ['ws', { sockets: { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket } }],
  ] as const)('follows the stock over %s, from what is left now to each change', async (transport, options) => {
    const server = await start({ CATALOG_FILE: catalogFile(CATALOG), MAX_PER_SESSION: '3' })
    const client = connect({ server: server.url, ...options })
    try {
      expect(await nextStock(client, 'cap', () => true)).toMatchObject({ sku: 'cap', available: 4, level: 'low' })
      expect(client.transport).toBe(transport)
      const taken = nextStock(client, 'cap', (product) => product.available === 2)
      expect((await postCart(server.url, 'pos', 'set', {}, { sku: 'cap', quantity: '2' })).status).toBe(200)
      expect(await taken).toMatchObject({ held: 2, available: 2 })
    } finally {
      client.close()
    }
  })

  it('follows one watch set, grown and shrunk as watches come and go', async () => {
    const server = await start({ CATALOG_FILE: catalogFile(CATALOG) })
    const followed: string[] = []
    const realFetch = globalThis.fetch
    globalThis.fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (url.pathname === '/status') followed.push(url.searchParams.get('skus') ?? '')
      return realFetch(input, init)
    }
    const client = connect({ server: server.url })
    try {
      const stopTee = client.watch(['tee'], () => {})
      const stopCap = client.watch(['cap'], () => {})
      await eventually(() => followed.at(-1) === 'tee,cap')
      stopCap()
      await eventually(() => followed.at(-1) === 'tee')
      stopTee()
      // Nothing watched, nothing followed: the poll under way is let go.
      await eventually(async () => (await heldBy(server.url)).longPoll === 0)
    } finally {
      globalThis.fetch = realFetch
      client.close()
    }
  })

  it('holds units in its own session and checks them out', async () => {
    const server = await start({ CATALOG_FILE: catalogFile(CATALOG), MAX_PER_SESSION: '3' })
    const client = connect({ server: server.url })
    try {
      await client.shop()
      const made = new Promise((resolve) => client.on('made', resolve))
      client.cart.setQuantity('tee', 2)
      expect(await made).toBe('tee')
      expect(client.cart.lines.get('tee')).toMatchObject({ quantity: 2, lapsed: false })
      const order = await client.cart.checkout()
      expect(order).toMatchObject({ status: 'placed', lines: [{ sku: 'tee', quantity: 2 }] })
      expect(await client.cart.lastOrder()).toEqual(order)
    } finally {
      client.close()
    }
  })
})
