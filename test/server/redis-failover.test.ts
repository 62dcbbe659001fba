import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { runRedisTests } from '../helpers/redis.js'
import { MASTER_NAME, useSentinelGroups } from '../helpers/redis-sentinel.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { expectOrdersKept, storm, type Answered, type StormShop } from '../helpers/storm.js'

const SHOP: StormShop = {
  skus: ['sku-0', 'sku-1', 'sku-2'],
  onHand: 60,
  sessions: 40,
  adminToken: 'redis-failover-admin-token-0123456789abcdef',
}

interface Stock {
  readonly epoch: string
  readonly version: number
}

const stockOf = async (url: string) => (await (await fetch(`${url}/inventory`)).json()) as Stock
/** The answers whose status is none of `statuses`, with their bodies, to say what went wrong. */
const unexpected = (answered: readonly Answered[], statuses: readonly number[]) =>
  answered.filter(({ status }) => !statuses.includes(status)).map(({ status, body }) => `${status} ${body}`)
const readyz = async (url: string) => (await fetch(`${url}/readyz`)).status

describe.skipIf(!runRedisTests)('server processes on a Redis that Sentinel fails over mid-storm', () => {
  const { startServerProcess } = useServerProcesses()
  const newGroup = useSentinelGroups()

  it('answers a checkout and an admin write only once a replica has them, and a cart action without waiting', async () => {
    const group = await newGroup()
    const { url } = await startServerProcess({
      STORE: 'redis',
      REDIS_SENTINELS: group.sentinels,
      REDIS_MASTER_NAME: MASTER_NAME,
      REDIS_WAIT_REPLICAS: '1',
      ADMIN_TOKEN: SHOP.adminToken,
    })
    const checkout = () =>
      fetch(`${url}/checkout`, {
        method: 'POST',
        headers: { 'Idempotency-Key': 'checkout-1' },
        body: new URLSearchParams({ session: 'shopper' }),
      })
    const restock = () =>
      fetch(`${url}/admin/products/default/adjustments`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${SHOP.adminToken}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': 'restock-1',
        },
        body: JSON.stringify({ delta: 5, reason: 'delivery' }),
      })
    await group.pauseReplicas(true)
    expect((await postCart(url, 'shopper', 'add')).status).toBe(200)
    for (const answer of [await checkout(), await restock()]) {
      expect(answer.status).toBe(503)
      expect(await answer.json()).toMatchObject({ error: 'store_unavailable' })
    }

    await group.pauseReplicas(false)
    // Sent again under their keys until a replica confirms them, each is answered as made: once, though the
    // master made it while waiting.
    await eventually(async () => (await checkout()).status === 201, 10_000)
    await eventually(async () => (await restock()).status === 200, 10_000)
    expect(await stockOf(url)).toMatchObject({ inventoryCount: 14, totalInventory: 14 })
  }, 45_000)

  it('keeps every order it acknowledged, sells no unit twice, serves again within seconds, and moves clients to a new epoch', async () => {
    const group = await newGroup()
    const env = {
      STORE: 'redis',
      REDIS_SENTINELS: group.sentinels,
      REDIS_MASTER_NAME: MASTER_NAME,
      REDIS_WAIT_REPLICAS: '1',
      CATALOG_FILE: catalogFile(products(SHOP.skus.length, SHOP.onHand)),
      MAX_PER_SESSION: '3',
      ADMIN_TOKEN: SHOP.adminToken,
      ...MANY_SHOPPERS_ONE_ADDRESS,
    }
    const urls = (await Promise.all([startServerProcess(env), startServerProcess(env)])).map(({ url }) => url)
    const before = await stockOf(urls[0]!)

    // Both processes storm at once; the first to be half answered kills the master, and both go on through
    // the failover, whose answers are 503 until a new master serves.
    let killing: Promise<{ port: number; at: number }> | undefined
    const killOnce = async () => {
      killing ??= group.killMaster().then((port) => ({ port, at: performance.now() }))
      await killing
      return 'go on' as const
    }
    const storms = (name: string, midway: () => Promise<'stop' | 'go on'>) =>
      Promise.all(urls.map((url, i) => storm(url, SHOP, { actions: 400, inFlight: 6, midway, name: `${name}-${i}-` })))
    const during = (await storms('during', killOnce)).flat()
    const killed = await killing!
    expect(during.filter(({ status }) => status === 201).length).toBeGreaterThan(0)
    expect(unexpected(during, [200, 201, 409, 503])).toEqual([])

    await eventually(async () => (await Promise.all(urls.map(readyz))).every((status) => status === 200), 20_000)
    expect(performance.now() - killed.at).toBeLessThan(20_000)

    // Every process serves again, checkouts included, once a replica follows the new master to confirm them.
    // A checkout whose replica is slow to confirm may still answer 503, for its shopper to send again.
    await group.failedOver(killed.port, 45_000)
    const after = await storms('after', async () => 'go on')
    for (const answers of after) {
      expect(answers.some(({ status }) => status === 200)).toBe(true)
      expect(answers.some(({ status }) => status === 201)).toBe(true)
      expect(unexpected(answers, [200, 201, 409, 503])).toEqual([])
    }

    // The new master may lack the last cart actions: the stock goes on in a new epoch, which both processes
    // serve, and a client still at the old one is answered at once with it.
    const stocks = await Promise.all(urls.map(stockOf))
    expect(stocks[0]!.epoch).not.toBe(before.epoch)
    expect(stocks[1]!.epoch).toBe(stocks[0]!.epoch)
    const stale = await fetch(`${urls[1]}/status?since=${before.version}&epoch=${before.epoch}&timeout=30`, {
      signal: AbortSignal.timeout(5000),
    })
    expect(((await stale.json()) as Stock).epoch).toBe(stocks[0]!.epoch)

    const answered: Answered[] = [...during, ...after.flat()]
    for (const url of urls) await expectOrdersKept(url, SHOP, answered)
  }, 150_000)
})
