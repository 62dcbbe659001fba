import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { eventually } from '../helpers/eventually.js'
import { REDIS_URL, runRedisTests, useKeyPrefixes } from '../helpers/redis.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { useWebhookReceivers, WEBHOOK_SECRET, type Received } from '../helpers/webhook-receiver.js'

/** Two products of 6 units, a cart of up to 6 each. */
const SHOP = { CATALOG_FILE: catalogFile(products(2, 6)), MAX_PER_SESSION: '6', ...MANY_SHOPPERS_ONE_ADDRESS }

const setCart = async (url: string, session: string, sku: string, quantity: number) =>
  expect((await postCart(url, session, 'set', {}, { sku, quantity: String(quantity) })).status).toBe(200)

/** Four changes, each crossing a level: sold out, sold out, back in stock, back in stock. */
async function sellOutAndBack(urls: readonly string[]): Promise<void> {
  const at = (i: number) => urls[i % urls.length]!
  await setCart(at(0), 'ann', 'sku-0', 6)
  await setCart(at(1), 'bob', 'sku-1', 6)
  await setCart(at(2), 'ann', 'sku-0', 0)
  await setCart(at(3), 'bob', 'sku-1', 3)
}
const SOLD_OUT_AND_BACK = [
  'stock.sold_out sku-0',
  'stock.sold_out sku-1',
  'stock.back_in_stock sku-0',
  'stock.back_in_stock sku-1',
]

/** Each event once, as a receiver that drops the ids it has seen keeps them, in the order first taken. */
const firstOfEach = (taken: readonly Received[]) => [...new Map(taken.map((event) => [event.id, event])).values()]
const described = (events: readonly Received[]) => events.map(({ type, data }) => `${type} ${data.sku}`)

describe('webhooks from real processes', { timeout: 30_000 }, () => {
  const { startServerProcess } = useServerProcesses()
  const newFile = useDatabaseFiles()
  const newPrefix = useKeyPrefixes()
  const newReceiver = useWebhookReceivers()

  it('sends every event a process killed before sending it had committed, once it is back', async () => {
    const receiver = await newReceiver('hang')
    const env = { ...SHOP, STORE: 'sqlite', DATABASE_FILE: newFile(), WEBHOOK_URL: receiver.url, WEBHOOK_SECRET }
    const killed = await startServerProcess(env)
    await sellOutAndBack([killed.url])
    // Every change is in, and the first event is on its way, unanswered: the process dies before it is sent.
    await eventually(() => receiver.attempts() === 1)
    killed.child.kill('SIGKILL')
    await once(killed.child, 'exit')

    receiver.answer('take')
    await startServerProcess(env)
    await eventually(() => firstOfEach(receiver.taken).length === 4)
    expect(described(firstOfEach(receiver.taken))).toEqual(SOLD_OUT_AND_BACK)
    expect(receiver.forged()).toBe(0)
  })

  it.runIf(runRedisTests)('sends each event once from two processes on one Redis, in order', async () => {
    const receiver = await newReceiver()
    const env = { ...SHOP, STORE: 'redis', REDIS_URL, STORE_KEY_PREFIX: newPrefix() }
    const servers = [
      await startServerProcess({ ...env, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET }),
      await startServerProcess({ ...env, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET }),
    ]
    await sellOutAndBack(servers.map(({ url }) => url))
    await eventually(() => receiver.taken.length >= 4)
    expect(described(receiver.taken)).toEqual(SOLD_OUT_AND_BACK)
    expect(firstOfEach(receiver.taken)).toHaveLength(receiver.taken.length)
  })
})
