import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_PRODUCT } from '../../src/domain/product.js'
import { MAX_TOKEN_LENGTH } from '../../src/domain/tokens.js'
import { MAX_WATCHED_SKUS } from '../../src/edge/input.js'
import { catalogFile } from '../helpers/catalogs.js'
import { openEventStream } from '../helpers/event-stream.js'
import { runNginxTests, startNginx } from '../helpers/nginx.js'
import { REDIS_URL, runRedisTests, useKeyPrefixes } from '../helpers/redis.js'
import { heldBy, postCart } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { track } from '../helpers/turns.js'

/** As many SKUs as a client may watch, each as long as a SKU may be. */
const LONGEST = Array.from({ length: MAX_WATCHED_SKUS }, (_, i) => String(i).padStart(MAX_TOKEN_LENGTH, 'x'))

interface Answer {
  readonly inventoryCount: number
  readonly version: number
  readonly epoch: string
  readonly retryAfterMs: number
}

const getJson = async (url: string) => (await fetch(url)).json() as Promise<Answer>

describe.skipIf(!runNginxTests || !runRedisTests)(
  'deploy/nginx.conf in front of two processes on one Redis',
  { timeout: 30_000 },
  () => {
    const { startServerProcess } = useServerProcesses()
    const newPrefix = useKeyPrefixes()
    let processes: string[]
    let proxy: Awaited<ReturnType<typeof startNginx>>

    beforeEach(async () => {
      const env = {
        STORE: 'redis',
        REDIS_URL,
        STORE_KEY_PREFIX: newPrefix(),
        HEARTBEAT_SECONDS: '1',
        TRUSTED_PROXIES: '127.0.0.1',
        // The classic product first, then as many products of the longest SKUs as a client may watch.
        CATALOG_FILE: catalogFile([DEFAULT_PRODUCT, ...LONGEST.map((sku) => ({ sku, name: sku, onHand: 1 }))]),
      }
      processes = (await Promise.all([startServerProcess(env), startServerProcess(env)])).map(({ url }) => url)
      proxy = await startNginx(processes.map((url) => new URL(url).host))
    })
    afterEach(async () => {
      await proxy.stop()
    })

    it('holds long polls on both processes until a change, then answers each with it', async () => {
      const { version, epoch } = await getJson(`${proxy.url}/inventory`)
      const polls = Array.from({ length: 4 }, () => getJson(`${proxy.url}/status?since=${version}&epoch=${epoch}`))
      const tracked = polls.map((poll) => track(poll))
      await sleep(300)
      expect(tracked.some((poll) => poll.settled)).toBe(false)
      // nginx spreads them: each process holds some.
      for (const url of processes) expect((await heldBy(url)).longPoll).toBeGreaterThan(0)

      // As the page sends it: nginx must pass the Host with its port, or the Origin would look foreign (403).
      const add = await postCart(proxy.url, 'shopper', 'add', { Origin: proxy.url })
      expect(add.status).toBe(200)
      const answers = await Promise.all(polls)
      for (const answer of answers)
        expect(answer).toMatchObject({ inventoryCount: 9, version: version + 1, epoch, retryAfterMs: 0 })
    })

    it('passes on a poll that times out on the server, with when to come back', async () => {
      const { version } = await getJson(`${proxy.url}/inventory`)
      const started = Date.now()
      const answer = await getJson(`${proxy.url}/status?since=${version}&timeout=2`)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900)
      expect(answer).toMatchObject({ version, retryAfterMs: expect.any(Number) })
      expect(answer.retryAfterMs).toBeLessThan(1000)
    })

    it('passes an event stream that names as many of the longest SKUs as a client may watch', async () => {
      const stream = await openEventStream(`${proxy.url}/events?skus=${encodeURIComponent(LONGEST.join(','))}`)
      try {
        expect(stream.response.statusCode).toBe(200)
        expect(JSON.parse((await stream.nextEvent(1000)).data).products).toHaveLength(MAX_WATCHED_SKUS)
      } finally {
        stream.close()
      }
    })

    it('carries a WebSocket: the stock on connect, and each change', async () => {
      const socket = new WebSocket(`${proxy.url.replace(/^http/, 'ws')}/ws`, { origin: proxy.url })
      const frames: { version: number }[] = []
      socket.on('message', (data) => frames.push(JSON.parse((data as Buffer).toString()) as { version: number }))
      try {
        await once(socket, 'open')
        await eventually(() => frames.length === 1, 1000)
        await postCart(proxy.url, 'shopper', 'add')
        await eventually(() => frames.length === 2, 1000)
        expect(frames[1]!.version).toBe(frames[0]!.version + 1)
      } finally {
        socket.close()
      }
    })

    it('streams events unbuffered: the stock at once, each change, and every heartbeat', async () => {
      const stream = await openEventStream(`${proxy.url}/events`)
      try {
        expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/)
        const first = await stream.nextEvent(1000)
        await postCart(proxy.url, 'shopper', 'add')
        const next = await stream.nextEvent(1000)
        expect(JSON.parse(next.data)).toMatchObject({ version: (JSON.parse(first.data) as Answer).version + 1 })
        expect(await stream.next(2500)).toEqual({ kind: 'comment', text: 'heartbeat' })
      } finally {
        stream.close()
      }
    })
  },
)
