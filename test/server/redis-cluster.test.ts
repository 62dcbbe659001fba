import { setTimeout as sleep } from 'node:timers/promises'
import { nanoid } from 'nanoid'
import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { runRedisTests } from '../helpers/redis.js'
import { useRedisCluster } from '../helpers/redis-cluster.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { anyEpoch } from '../helpers/stock.js'

interface Stock {
  readonly inventoryCount: number
  readonly version: number
}

const ADMIN_TOKEN = 'redis-cluster-admin-token-0123456789abcdef'
const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>

describe.skipIf(!runRedisTests)('several server processes on one Redis Cluster', { timeout: 60_000 }, () => {
  const { startServerProcess } = useServerProcesses()
  const cluster = useRedisCluster()

  /** Two server processes sharing a fresh stock on the cluster, under a prefix of their own. */
  async function twoProcesses(extraEnv: Record<string, string> = {}) {
    const prefix = `shop-${nanoid(8)}:`
    const env = {
      STORE: 'redis',
      REDIS_CLUSTER_NODES: cluster().nodes,
      STORE_KEY_PREFIX: prefix,
      ADMIN_TOKEN,
      ...MANY_SHOPPERS_ONE_ADDRESS,
      ...extraEnv,
    }
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    return { prefix, urls: [a.url, b.url] as const }
  }

  it('sells exactly the stock to 200 adds racing over both processes, and keeps every key of the shop on one node', async () => {
    const { prefix, urls } = await twoProcesses()
    for (let round = 0; round < 5; round++) {
      const sessions = Array.from({ length: 200 }, (_, i) => `round-${round}-shopper-${i}`)
      const responses = await Promise.all(sessions.map((session, i) => postCart(urls[i % 2]!, session, 'add')))
      const winners = sessions.filter((_, i) => responses[i]!.status === 200)
      expect(winners).toHaveLength(10)
      expect(responses.filter(({ status }) => status === 409)).toHaveLength(190)
      for (const url of urls) expect(await getJson<Stock>(`${url}/inventory`)).toMatchObject({ inventoryCount: 0 })
      await Promise.all(winners.map((session, i) => postCart(urls[i % 2]!, session, 'remove')))
    }
    const keysOn = await Promise.all(cluster().masters.map((master) => master.keys(`{${prefix}}*`)))
    expect(keysOn.filter((keys) => keys.length > 0)).toHaveLength(1)
    expect(keysOn.flat()).toEqual(expect.arrayContaining([`{${prefix}}epoch`, `{${prefix}}product:{default}`]))
  })

  it('answers a waiter on B at once when a change is made on A', async () => {
    const { urls } = await twoProcesses()
    const [a, b] = urls
    for (let round = 0; round < 5; round++) {
      const { version } = await getJson<Stock>(`${b}/inventory`)
      const poll = getJson<Stock>(`${b}/status?since=${version}&timeout=10`)
      // Let the poll be held before the change, so that it is the change that answers it.
      await sleep(50)
      expect((await postCart(a, `shopper-${round}`, 'add')).status).toBe(200)
      expect(await poll).toEqual({
        inventoryCount: 9 - round,
        totalInventory: 10,
        version: version + 1,
        epoch: anyEpoch,
        retryAfterMs: 0,
      })
    }
  })

  it('never oversells 5 products to checkouts racing over both processes, and the ledger verifies', async () => {
    const { urls } = await twoProcesses({ CATALOG_FILE: catalogFile(products(5, 6)), MAX_PER_SESSION: '4' })
    const sessions = Array.from({ length: 30 }, (_, i) => `shopper-${i}`)
    await Promise.all(
      sessions.map((session, i) =>
        postCart(urls[i % 2]!, session, 'set', {}, { sku: `sku-${i % 5}`, quantity: String(1 + (i % 4)) }),
      ),
    )
    const checkouts = await Promise.all(
      sessions.map((session, i) =>
        fetch(`${urls[(i + 1) % 2]}/checkout`, { method: 'POST', body: new URLSearchParams({ session }) }),
      ),
    )
    expect(checkouts.every(({ status }) => status === 201 || status === 409)).toBe(true)
    const orders = (await Promise.all(checkouts.filter(({ status }) => status === 201).map((r) => r.json()))) as {
      lines: { sku: string; quantity: number }[]
    }[]
    const { products: stock } = await getJson<{ products: { sku: string; onHand: number }[] }>(`${urls[0]}/products`)
    for (const { sku, onHand } of stock) {
      const sold = orders.flatMap(({ lines }) => lines).filter((line) => line.sku === sku)
      expect(onHand + sold.reduce((sum, { quantity }) => sum + quantity, 0)).toBe(6)
      expect(onHand).toBeGreaterThanOrEqual(0)
    }
    const verified = await fetch(`${urls[1]}/admin/verify`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(await verified.json()).toEqual({ ok: true })
  })
})
