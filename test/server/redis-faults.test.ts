import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { openEventStream } from '../helpers/event-stream.js'
import { usePrivateRedis } from '../helpers/private-redis.js'
import { adminConnection, runRedisTests, useKeyPrefixes } from '../helpers/redis.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { track } from '../helpers/turns.js'

interface Stock {
  readonly inventoryCount: number
  readonly version: number
  readonly epoch: string
  readonly resync?: true
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>
const readiness = async (url: string) => (await fetch(`${url}/readyz`)).status

describe.skipIf(!runRedisTests)('server processes through faults of their Redis', { timeout: 60_000 }, () => {
  const { startServerProcess } = useServerProcesses()
  const privateRedis = usePrivateRedis()
  const newPrefix = useKeyPrefixes()

  it('keeps every worker serving when one dies while Redis is down, and serves again when Redis is back', async () => {
    const redis = await privateRedis()
    const primary = await startServerProcess({
      STORE: 'redis',
      REDIS_URL: redis.url,
      WORKERS: '2',
      ...MANY_SHOPPERS_ONE_ADDRESS,
    })
    const workerPids = async () => {
      while (primary.output().match(/worker \d+, 10 units/g)?.length !== 2) await once(primary.child.stdout, 'data')
      return [...primary.output().matchAll(/worker (\d+), 10 units/g)].map((match) => Number(match[1]))
    }
    const [doomed] = await workerPids()
    const { version, epoch } = await getJson<Stock>(`${primary.url}/inventory`)
    const polls = Array.from({ length: 10 }, () =>
      fetch(`${primary.url}/status?since=${version}&epoch=${epoch}&timeout=60`).then(
        async (response) => ({ status: response.status, body: (await response.json()) as Stock }),
        () => 'cut' as const,
      ),
    )
    await sleep(300)

    await redis.kill()
    process.kill(doomed!, 'SIGKILL')
    // The replacement cannot reach Redis; it must serve 503 rather than stop the cluster.
    await sleep(3000)
    expect(primary.child.exitCode).toBeNull()
    const tracked = polls.map((poll) => track(poll))
    await sleep(50)
    const cut = tracked.filter((poll) => poll.settled)
    // The dead worker's polls were cut with it; the healthy worker's are still held.
    expect(cut.every((poll) => poll.value === 'cut')).toBe(true)
    expect(cut.length).toBeLessThan(10)
    const during = await postCart(primary.url, 'a', 'add')
    expect(during.status).toBe(503)
    expect(await during.json()).toMatchObject({ error: 'store_unavailable' })

    await redis.start()
    await eventually(async () => (await postCart(primary.url, 'back', 'add')).status === 200, 15_000)
    for (const answer of await Promise.all(polls.filter((_, i) => !tracked[i]!.settled))) {
      expect(answer).toMatchObject({ status: 200, body: { resync: true, inventoryCount: expect.any(Number) } })
    }
    // Both workers serve again: every one of a few fresh connections is ready. The replacement, started while
    // Redis was down, tries it again ever less often (up to every 5 s), so it may come back a little later.
    const everyOneReady = async () => {
      for (let i = 0; i < 6; i++) if ((await readiness(primary.url)) !== 200) return false
      return true
    }
    await eventually(everyOneReady, 15_000)
  })

  it('catches up, and is not ready until it has, when the re-read after a lost subscription times out', async () => {
    const redis = await privateRedis()
    const env = { STORE: 'redis', REDIS_URL: redis.url, ...MANY_SHOPPERS_ONE_ADDRESS }
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    const { epoch } = await getJson<Stock>(`${a.url}/inventory`)
    const polls = [a.url, b.url].map((url) => getJson<Stock>(`${url}/status?since=0&epoch=${epoch}&timeout=60`))
    const streams = await Promise.all(
      [a.url, b.url].map((url) => openEventStream(`${url}/events?since=0&epoch=${epoch}`)),
    )
    const admin = redis.admin()
    const { connected_clients: clients } = Object.fromEntries(
      String(await admin.info('clients'))
        .split('\r\n')
        .map((line) => line.split(':')),
    ) as Record<string, string>

    // Every subscriber is cut, and, in the same breath, no connection can be made again until allowed.
    await admin
      .multi()
      .call('CLIENT', 'KILL', 'TYPE', 'pubsub')
      .config('SET', 'maxclients', Number(clients) - 2)
      .exec()
    // A change that no subscriber hears.
    expect((await postCart(a.url, 'unheard', 'add')).status).toBe(200)
    // As during a failover: writes (the re-read's script among them) wait 3 s, past the 2 s a command may take.
    await admin.multi().client('PAUSE', 3000, 'WRITE').config('SET', 'maxclients', 10_000).exec()

    await eventually(async () => (await readiness(a.url)) === 503 && (await readiness(b.url)) === 503, 2000)
    for (const answer of await Promise.all(polls)) expect(answer).toMatchObject({ version: 1, inventoryCount: 9 })
    for (const stream of streams) expect(JSON.parse((await stream.nextEvent(8000)).data)).toMatchObject({ version: 1 })
    await eventually(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200, 5000)
    for (const stream of streams) stream.close()
  })

  it('tells a checkout cut off by a stalled Redis that it may have landed, and gives its order to a retry under the same key', async () => {
    const redis = await privateRedis()
    const token = 'redis-faults-test-admin-token-0123456789'
    const { url } = await startServerProcess({
      STORE: 'redis',
      REDIS_URL: redis.url,
      ADMIN_TOKEN: token,
      ...MANY_SHOPPERS_ONE_ADDRESS,
    })
    const checkout = () =>
      fetch(`${url}/checkout`, {
        method: 'POST',
        headers: { 'Idempotency-Key': 'stalled-checkout' },
        body: new URLSearchParams({ session: 'abc' }),
      })
    expect((await postCart(url, 'abc', 'add')).status).toBe(200)

    redis.pause()
    const cutOff = await checkout()
    redis.resume()
    expect(cutOff.status).toBe(503)
    expect(await cutOff.json()).toEqual({
      error: 'store_unavailable',
      message: expect.stringContaining('may or may not have been made: send it again with the same Idempotency-Key'),
    })
    // Redis ran the checkout once it went on: the order was made, though the shopper was told 503.
    const sales = async () => {
      const { movements } = (await (
        await fetch(`${url}/admin/movements`, { headers: { Authorization: `Bearer ${token}` } })
      ).json()) as { movements: { kind: string; orderId: string }[] }
      return movements.filter(({ kind }) => kind === 'sale')
    }
    await eventually(async () => (await sales()).length === 1)

    const retried = await checkout()
    expect(retried.status).toBe(201)
    expect(retried.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await retried.json()).toMatchObject({ session: 'abc', id: (await sales())[0]!.orderId })
    expect(await sales()).toHaveLength(1)
  })

  it('starts a new epoch when only the version key is lost, never sending versions backwards', async () => {
    const prefix = newPrefix()
    const { url } = await startServerProcess({ STORE: 'redis', STORE_KEY_PREFIX: prefix, ...MANY_SHOPPERS_ONE_ADDRESS })
    for (let i = 0; i < 5; i++) expect((await postCart(url, `shopper-${i}`, 'add')).status).toBe(200)
    const before = await getJson<Stock>(`${url}/inventory`)
    expect(before).toMatchObject({ version: 5, inventoryCount: 5 })
    const poll = getJson<Stock>(`${url}/status?since=5&epoch=${before.epoch}`)
    await sleep(100)

    const admin = adminConnection()
    await admin.del(`${prefix}version`)
    admin.disconnect()
    const added = (await (await postCart(url, 'after-the-loss', 'add')).json()) as Stock
    // The five holds are still held: the stock goes on, in a new epoch.
    expect(added).toMatchObject({ version: 1, inventoryCount: 4 })
    expect(added.epoch).not.toBe(before.epoch)
    expect(await poll).toMatchObject({ resync: true, epoch: added.epoch, version: 1, inventoryCount: 4 })
    const stream = await openEventStream(`${url}/events?since=5&epoch=${before.epoch}`)
    expect(JSON.parse((await stream.nextEvent()).data)).toMatchObject({
      epoch: added.epoch,
      version: 1,
      inventoryCount: 4,
    })
    stream.close()
  })
})
