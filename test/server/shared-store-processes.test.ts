import { nanoid } from 'nanoid'
import { describe, expect, it } from 'vitest'
import { DATABASE_URL, runPostgresTests, useSchemas } from '../helpers/postgres.js'
import { runRedisTests, useKeyPrefixes } from '../helpers/redis.js'
import { useRedisCluster } from '../helpers/redis-cluster.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'

/** The stores several processes share, each giving the variables of a fresh stock of its own. */
const sharedStores = [
  {
    name: 'Redis',
    runs: runRedisTests,
    use: () => {
      const newPrefix = useKeyPrefixes()
      return () => ({ STORE: 'redis', STORE_KEY_PREFIX: newPrefix() })
    },
  },
  {
    name: 'Redis Cluster',
    runs: runRedisTests,
    use: () => {
      const cluster = useRedisCluster()
      return () => ({ STORE: 'redis', REDIS_CLUSTER_NODES: cluster().nodes, STORE_KEY_PREFIX: `shop-${nanoid(8)}:` })
    },
  },
  {
    name: 'PostgreSQL',
    runs: runPostgresTests,
    use: () => {
      const newSchema = useSchemas()
      return () => ({ STORE: 'postgres', DATABASE_URL, DATABASE_SCHEMA: newSchema() })
    },
  },
].filter(({ runs }) => runs)

describe.each(sharedStores)('several server processes on one $name, as one shop', ({ use }) => {
  const { startServerProcess } = useServerProcesses()
  const freshStock = use()

  /** Two server processes sharing a fresh stock of 10. */
  async function twoProcesses(extraEnv: Record<string, string> = {}): Promise<[string, string]> {
    const env = { ...freshStock(), ...MANY_SHOPPERS_ONE_ADDRESS, ...extraEnv }
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    return [a.url, b.url]
  }

  it('answers a retry sent to B with the answer A gave to the same Idempotency-Key, acting once', async () => {
    const [a, b] = await twoProcesses()
    const post = (url: string) => postCart(url, 'shopper', 'add', { 'Idempotency-Key': 'checkout-7f3a' })
    const first = await post(a)
    const retry = await post(b)
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await retry.json()).toEqual(await first.json())
    const stock = (await (await fetch(`${b}/inventory`)).json()) as { inventoryCount: number; version: number }
    expect(stock).toMatchObject({ inventoryCount: 9, version: 1 })
  })

  it('holds one rate limit per session across both processes', async () => {
    const [a, b] = await twoProcesses({ CART_RATE_PER_SESSION: '2' })
    // 2 a second and a burst of 2 more: 4 in all, whichever process each goes to.
    const statuses = []
    for (let i = 0; i < 8; i++)
      statuses.push((await postCart(i % 2 ? a : b, 'busy', i % 4 < 2 ? 'add' : 'remove')).status)
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429])
  })
})
