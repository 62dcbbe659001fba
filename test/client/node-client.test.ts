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

const ADMIN_TOKEN = 'node-client-admin-token-0123456789abcdef'

/** Holds `quantity` of `sku` in the client's cart, once the shop has made the change. */
async function hold(client: Stockpoll, sku: string, quantity: number): Promise<void> {
  const made = new Promise((resolve) => client.on('made', resolve))
  client.cart.setQuantity(sku, quantity)
  await made
}

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

  it('tells a shopper whose hold a sale made elsewhere took how many units it took, and no other', async () => {
    const server = await start({ CATALOG_FILE: catalogFile(CATALOG), MAX_PER_SESSION: '3', ADMIN_TOKEN })
    const [early, late] = [connect({ server: server.url }), connect({ server: server.url })]
    try {
      const told = new Map<Stockpoll, unknown[]>([
        [early, []],
        [late, []],
      ])
      for (const client of [early, late]) {
        client.on('taken', (taken) => told.get(client)?.push(...taken))
        client.watch(['cap'], () => {})
      }
      await hold(early, 'cap', 1)
      // The newest hold is the one that ends last: a later millisecond makes the late one newest for sure.
      const heldAt = Date.now()
      await eventually(() => Date.now() > heldAt)
      await hold(late, 'cap', 2)
      const sale = await fetch(new URL('admin/products/cap/sales', server.url), {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ quantity: 3, takeFromHolds: true }),
      })
      expect(sale.status).toBe(200)
      await eventually(() => told.get(late)?.length !== 0)
      expect(told.get(late)).toEqual([{ sku: 'cap', quantity: 2 }])
      expect(late.cart.lines.has('cap')).toBe(false)
      // The early shopper's client heard of the take too, and read its cart again: its line is whole.
      await eventually(() => early.cart.lines.get('cap')?.takenAt !== undefined)
      expect(early.cart.lines.get('cap')).toMatchObject({ quantity: 1, lapsed: false })
      expect(told.get(early)).toEqual([])
    } finally {
      early.close()
      late.close()
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
