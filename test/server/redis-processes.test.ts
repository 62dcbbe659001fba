import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../helpers/eventually.js'
import { catalogFile, products } from '../helpers/catalogs.js'
import { adminConnection, killConnections, runRedisTests, useKeyPrefixes } from '../helpers/redis.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { anyEpoch } from '../helpers/stock.js'

interface Stock {
  readonly inventoryCount: number
  readonly totalInventory: number
  readonly version: number
}

interface Cart {
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>
const inventoryOf = (url: string) => getJson<Stock>(`${url}/inventory`)

/** Waits until every server answers /readyz with 200: its store is connected again. */
const ready = (urls: readonly string[]): Promise<void> =>
  eventually(async () =>
    (await Promise.all(urls.map((url) => fetch(`${url}/readyz`)))).every(({ status }) => status === 200),
  )

describe.skipIf(!runRedisTests)('several server processes on one Redis', { timeout: 60_000 }, () => {
  const { startServerProcess } = useServerProcesses()
  const newPrefix = useKeyPrefixes()
  let admin: Redis
  let prefix: string

  beforeAll(() => {
    admin = adminConnection()
  })
  afterAll(() => admin.disconnect())

  /** Two server processes sharing a fresh stock of 10. */
  async function twoProcesses(extraEnv: Record<string, string> = {}): Promise<[string, string]> {
    prefix = newPrefix()
    const env = { STORE: 'redis', STORE_KEY_PREFIX: prefix, ...MANY_SHOPPERS_ONE_ADDRESS, ...extraEnv }
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    return [a.url, b.url]
  }

  it('answers a waiter on B within 100 ms of a change made on A', async () => {
    const [a, b] = await twoProcesses()
    for (let round = 0; round < 5; round++) {
      const { version } = await inventoryOf(b)
      const poll = fetch(`${b}/status?since=${version}`).then(async (response) => ({
        stock: (await response.json()) as Stock,
        at: performance.now(),
      }))
      // Let the poll be held before the change, so that the time measured is the change's way to B.
      await sleep(50)
      const changedAt = performance.now()
      expect((await postCart(a, `shopper-${round}`, 'add')).status).toBe(200)
      const answer = await poll
      expect(answer.stock).toEqual({
        inventoryCount: 9 - round,
        totalInventory: 10,
        version: version + 1,
        epoch: anyEpoch,
        retryAfterMs: 0,
      })
      expect(answer.at - changedAt).toBeLessThan(100)
    }
  })

  it('sells exactly 10 units to 200 adds racing over both processes, 20 times over', async () => {
    const servers = await twoProcesses()
    for (let round = 0; round < 20; round++) {
      const before = await inventoryOf(servers[0])
      expect(before.inventoryCount).toBe(10)
      const sessions = Array.from({ length: 200 }, (_, i) => `round-${round}-shopper-${i}`)
      const responses = await Promise.all(sessions.map((session, i) => postCart(servers[i % 2]!, session, 'add')))
      const winners = sessions.filter((_, i) => responses[i]!.status === 200)
      expect(winners).toHaveLength(10)
      expect(responses.filter((response) => response.status === 409)).toHaveLength(190)
      const after = await inventoryOf(servers[1])
      expect(after).toEqual({ inventoryCount: 0, totalInventory: 10, version: before.version + 10, epoch: anyEpoch })
      // Put the stock back for the next round.
      await Promise.all(winners.map((session, i) => postCart(servers[i % 2]!, session, 'remove')))
    }
  })

  it('sells no unit twice while its Redis connections are killed mid-race, and still reaches every waiter after', async () => {
    const [a, b] = await twoProcesses()
    const adds = Array.from({ length: 200 }, (_, i) =>
      sleep(i).then(() => postCart(i % 2 ? a : b, `shopper-${i}`, 'add')),
    )
    await sleep(40)
    expect(await killConnections(admin, prefix)).toBe(4)
    const statuses = (await Promise.all(adds)).map((response) => response.status)
    expect(statuses.every((status) => [200, 409, 503].includes(status))).toBe(true)
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(10)

    await ready([a, b])
    const holders = await admin.hlen(`${prefix}lines:{default}`)
    expect(holders).toBeLessThanOrEqual(10)
    const stock = await inventoryOf(a)
    expect(stock).toEqual({ inventoryCount: 10 - holders, totalInventory: 10, version: holders, epoch: anyEpoch })

    const polls = [a, b, a, b].map((url) => getJson<Stock>(`${url}/status?since=${stock.version}`))
    await sleep(50)
    const someHolder = String(await admin.hrandfield(`${prefix}lines:{default}`))
    expect((await postCart(b, someHolder, 'remove')).status).toBe(200)
    for (const answer of await Promise.all(polls)) {
      expect(answer).toEqual({
        inventoryCount: 11 - holders,
        totalInventory: 10,
        version: holders + 1,
        epoch: anyEpoch,
        retryAfterMs: 0,
      })
    }
  })

  it('returns a lapsed hold to stock once, as one change both processes answer their waiters with', async () => {
    const [a, b] = await twoProcesses({ CART_TTL_SECONDS: '1' })
    expect((await postCart(a, 'hoarder', 'add')).status).toBe(200)
    const polls = [a, b].map((url) => getJson<Stock>(`${url}/status?since=1&timeout=10`))
    for (const answer of await Promise.all(polls)) {
      expect(answer).toEqual({ inventoryCount: 10, totalInventory: 10, version: 2, epoch: anyEpoch, retryAfterMs: 0 })
    }
    // Both processes sweep every second: a second sweep must find nothing more to return.
    await sleep(1500)
    expect(await inventoryOf(b)).toEqual({ inventoryCount: 10, totalInventory: 10, version: 2, epoch: anyEpoch })
    expect(await getJson(`${b}/cart?session=hoarder`)).toMatchObject({ inCart: false, holdExpiresInSeconds: null })
  })

  it('never oversells any of 5 products to 200 concurrent sets of random quantities over both processes', async () => {
    const servers = await twoProcesses({ CATALOG_FILE: catalogFile(products(5, 10)), MAX_PER_SESSION: '4' })
    const sessions = Array.from({ length: 40 }, (_, i) => `shopper-${i}`)
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        postCart(
          servers[i % 2]!,
          sessions[i % 40]!,
          'set',
          {},
          {
            sku: `sku-${i % 5}`,
            quantity: String(Math.floor(Math.random() * 5)),
          },
        ),
      ),
    )
    expect(responses.every(({ status }) => status === 200 || status === 409)).toBe(true)
    const carts = await Promise.all(sessions.map((session) => getJson<Cart>(`${servers[1]}/cart?session=${session}`)))
    const { products: stock } = await getJson<{ products: { sku: string; onHand: number; held: number }[] }>(
      `${servers[0]}/products`,
    )
    for (const product of stock) {
      const inLines = carts.flatMap(({ lines }) => lines).filter(({ sku }) => sku === product.sku)
      expect(product.held).toBeLessThanOrEqual(product.onHand)
      expect(inLines.reduce((sum, { quantity }) => sum + quantity, 0)).toBe(product.held)
    }
  })

  it('sells the last units once to checkouts racing over both processes, and the ledger still verifies', async () => {
    const token = 'redis-processes-admin-token-0123456789abcdef'
    const [a, b] = await twoProcesses({ CART_TTL_SECONDS: '2', ADMIN_TOKEN: token })
    const checkout = (url: string, session: string) =>
      fetch(`${url}/checkout`, { method: 'POST', body: new URLSearchParams({ session }) })
    const lapsing = Array.from({ length: 10 }, (_, i) => `lapsing-${i}`)
    for (const [i, session] of lapsing.entries())
      expect((await postCart(i % 2 ? a : b, session, 'add')).status).toBe(200)
    // Their holds lapse: the units go back, and their lines stay for a checkout to sell if units are left.
    await eventually(async () => (await inventoryOf(a)).inventoryCount === 10, 5000)
    const holding = Array.from({ length: 8 }, (_, i) => `holding-${i}`)
    for (const [i, session] of holding.entries())
      expect((await postCart(i % 2 ? a : b, session, 'add')).status).toBe(200)

    const sessions = [...lapsing, ...holding]
    const answers = await Promise.all(sessions.map((session, i) => checkout(i % 2 ? a : b, session)))
    const sold = sessions.filter((_, i) => answers[i]!.status === 201)
    expect(sold.filter((session) => session.startsWith('holding'))).toHaveLength(8)
    expect(sold.filter((session) => session.startsWith('lapsing'))).toHaveLength(2)
    expect(answers.filter(({ status }) => status === 409)).toHaveLength(8)
    expect(await inventoryOf(b)).toMatchObject({ inventoryCount: 0, totalInventory: 0 })
    const verified = await fetch(`${a}/admin/verify`, { headers: { Authorization: `Bearer ${token}` } })
    expect(await verified.json()).toEqual({ ok: true })
  })

  it('runs WORKERS processes on one port, sharing the stock, and stops them all on SIGTERM', async () => {
    prefix = newPrefix()
    const primary = await startServerProcess({ STORE: 'redis', STORE_KEY_PREFIX: prefix, WORKERS: '2' })
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => postCart(primary.url, `shopper-${i}`, 'add').then((r) => r.status)),
    )
    expect(statuses.filter((status) => status === 200)).toHaveLength(10)
    expect(await inventoryOf(primary.url)).toMatchObject({ inventoryCount: 0, version: 10 })
    while (primary.output().match(/worker \d+, 10 units/g)?.length !== 2) await once(primary.child.stdout, 'data')

    primary.child.kill('SIGTERM')
    const [code] = await once(primary.child, 'exit')
    expect(code).toBe(0)
  })
})
