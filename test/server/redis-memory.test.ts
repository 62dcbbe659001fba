import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { RedisEvictsKeysError } from '../../src/store/redis-evicts-keys-error.js'
import { openRedisStore } from '../../src/store/redis.js'
import { catalogFile, products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { usePrivateRedis } from '../helpers/private-redis.js'
import { runRedisTests } from '../helpers/redis.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'

const TOKEN = 'redis-memory-test-admin-token-0123456789'
const asAdmin = { Authorization: `Bearer ${TOKEN}` }

describe.skipIf(!runRedisTests)('a Redis that could drop keys, or is full', { timeout: 30_000 }, () => {
  const privateRedis = usePrivateRedis()
  const { spawnServer, startServerProcess } = useServerProcesses()

  it.each(['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl'])(
    'is refused when it evicts keys (%s), before anything is written',
    async (policy) => {
      const redis = await privateRedis('--maxmemory-policy', policy)
      const opened = openRedisStore({ url: redis.url, keyPrefix: 'shop:' })
      await expect(opened).rejects.toThrow(RedisEvictsKeysError)
      await expect(opened).rejects.toThrow(`maxmemory-policy ${policy}`)
      await expect(opened).rejects.toThrow('Set maxmemory-policy noeviction')
      expect(await redis.admin().dbsize()).toBe(0)
    },
  )

  it('stops a server at start with exit code 2 and one line saying what to set', async () => {
    const redis = await privateRedis('--maxmemory-policy', 'allkeys-lru', '--maxmemory', '64mb')
    const server = spawnServer({ STORE: 'redis', REDIS_URL: redis.url })
    const [code] = (await once(server.child, 'exit')) as [number]
    expect(code).toBe(2)
    const lines = server
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; code: string; msg: string })
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        code: 'redis_evicts_keys',
        msg: expect.stringContaining('noeviction'),
      }),
    ])
  })

  it('is not ready while its Redis is set to evict keys, and ready again once it is not', async () => {
    const redis = await privateRedis()
    const server = await startServerProcess({ STORE: 'redis', REDIS_URL: redis.url })
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    await redis.admin().config('SET', 'maxmemory-policy', 'volatile-lru')
    const notReady = await fetch(`${server.url}/readyz`)
    expect(notReady.status).toBe(503)
    expect(await notReady.json()).toMatchObject({ message: expect.stringContaining('maxmemory-policy volatile-lru') })
    await redis.admin().config('SET', 'maxmemory-policy', 'noeviction')
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
  })

  it('trusts a Redis that will not say its policy, and warns once what to check by hand', async () => {
    const redis = await privateRedis('--rename-command', 'CONFIG', '')
    const server = await startServerProcess({ STORE: 'redis', REDIS_URL: redis.url })
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    const warnings = server.output().match(/did not say its maxmemory-policy[^"]*check by hand that it is noeviction/g)
    expect(warnings).toHaveLength(1)
  })

  it('answers 503 and changes nothing while Redis is full, and sells the cart once under the same key when it has room', async () => {
    const redis = await privateRedis()
    const server = await startServerProcess({
      STORE: 'redis',
      REDIS_URL: redis.url,
      CATALOG_FILE: catalogFile(products(2, 5)),
      MAX_PER_SESSION: '3',
      ADMIN_TOKEN: TOKEN,
      ...MANY_SHOPPERS_ONE_ADDRESS,
    })
    const movements = async () =>
      ((await (await fetch(`${server.url}/admin/movements`, { headers: asAdmin })).json()) as { movements: unknown[] })
        .movements
    expect((await postCart(server.url, 'abc', 'set', {}, { sku: 'sku-0', quantity: '2' })).status).toBe(200)
    const before = { products: await (await fetch(`${server.url}/products`)).json(), movements: await movements() }

    // Below what it uses already: every write is refused from now on.
    await redis.admin().config('SET', 'maxmemory', '1')
    const checkout = () =>
      fetch(`${server.url}/checkout`, {
        method: 'POST',
        headers: { 'Idempotency-Key': 'full-redis-checkout' },
        body: new URLSearchParams({ session: 'abc' }),
      })
    const refused = await checkout()
    expect(refused.status).toBe(503)
    expect(refused.headers.get('Retry-After')).toBe('1')
    expect(await refused.json()).toEqual({
      error: 'store_unavailable',
      message: expect.stringContaining('may or may not have been made: send it again with the same Idempotency-Key'),
    })
    expect((await postCart(server.url, 'xyz', 'add', {}, { sku: 'sku-1' })).status).toBe(503)
    const adjust = await fetch(`${server.url}/admin/products/sku-1/adjustments`, {
      method: 'POST',
      headers: asAdmin,
      body: new URLSearchParams({ delta: '3', reason: 'delivery' }),
    })
    expect(adjust.status).toBe(503)
    // Reads still answer, and show nothing changed.
    expect(await (await fetch(`${server.url}/products`)).json()).toEqual(before.products)
    expect(await movements()).toEqual(before.movements)
    expect(server.output()).toContain('is out of memory (maxmemory reached)')

    await redis.admin().config('SET', 'maxmemory', '0')
    const sold = await checkout()
    expect(sold.status).toBe(201)
    expect(sold.headers.get('Idempotent-Replayed')).toBeNull()
    const again = await checkout()
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await again.json()).toEqual(await sold.json())
    await eventually(async () => (await fetch(`${server.url}/admin/verify`, { headers: asAdmin })).status === 200)
    const sales = ((await movements()) as { kind: string }[]).filter(({ kind }) => kind === 'sale')
    expect(sales).toHaveLength(1)
  })
})
