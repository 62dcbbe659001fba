import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { Connection, getRequest, postFormRequest } from '../../bench/raw-http.js'
import { loadConfig } from '../../src/config.js'
import { startServer, type RunningServer } from '../../src/start-server.js'
import { eventually } from '../helpers/eventually.js'
import { recordingLogger } from '../helpers/log-lines.js'
import { heldBy, MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { rawConnection } from '../helpers/raw-socket.js'

describe('long polls served straight from Node', () => {
  const running: RunningServer[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()))
  })

  async function start(env: Record<string, string> = {}) {
    const log = recordingLogger()
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', STORE: 'memory', ...MANY_SHOPPERS_ONE_ADDRESS, ...env })
    const server = await startServer(config, { logger: log.logger })
    running.push(server)
    const target = { host: '127.0.0.1', port: Number(new URL(server.url).port) }
    return { server, target, lines: log.lines }
  }

  it('answers a poll as the app does, logs it at debug and counts it under /status', async () => {
    const { server, target, lines } = await start()
    const direct = await Connection.open(target)
    const throughApp = await Connection.open(target)
    const answers = Promise.all([
      direct.request(getRequest('/status?since=0&timeout=30')),
      // A body makes it the app's to serve, by the same route.
      throughApp.request('GET /status?since=0&timeout=30 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}'),
    ])
    await eventually(async () => (await heldBy(server.url)).longPoll === 2)
    await postCart(server.url, 'abc', 'add')
    const [fromNode, fromApp] = await answers
    expect(fromNode.status).toBe(200)
    expect(JSON.parse(fromNode.body)).toEqual(JSON.parse(fromApp.body))
    expect(JSON.parse(fromNode.body)).toMatchObject({ inventoryCount: 9, version: 1, retryAfterMs: 0 })
    const polls = lines().filter((line) => line.msg === 'request' && line.path === '/status')
    expect(polls).toHaveLength(2)
    expect(polls.every((line) => line.level === 'debug' && line.status === 200 && typeof line.id === 'string')).toBe(
      true,
    )
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(/stockpoll_http_requests_total\{route="\/status",status="200"\} 2/)
    direct.close()
    throughApp.close()
  })

  it('leaves every poll it would refuse to the app, which refuses it as ever', async () => {
    const { server } = await start({ MAX_WAITERS_PER_IP: '1' })
    const bad = await fetch(`${server.url}/status?since=abc`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' })
    expect((await fetch(`${server.url}/status?skus=nope`)).status).toBe(404)
    const elsewhere = await rawConnection(server.url)
    elsewhere.write('GET /status HTTP/1.1\r\nHost: evil.example\r\n\r\n')
    const [refusal] = (await once(elsewhere, 'data')) as [Buffer]
    expect(refusal.toString()).toMatch(/^HTTP\/1\.1 403 /)
    elsewhere.destroy()
    const held = fetch(`${server.url}/status?timeout=30`)
    await eventually(async () => (await heldBy(server.url)).longPoll === 1)
    expect((await fetch(`${server.url}/status?timeout=30`)).status).toBe(429)
    await postCart(server.url, 'abc', 'add')
    expect((await held).status).toBe(200)
  })

  it('holds every poll sent again at once on the same connection during a fan-out, for the next change', async () => {
    const { server, target } = await start()
    const clients = await Promise.all(Array.from({ length: 300 }, () => Connection.open(target)))
    const first = clients.map((client) => client.request(getRequest('/status?since=0&timeout=60')))
    await eventually(async () => (await heldBy(server.url)).longPoll === 300)
    const second = first.map(async (answer, i) => {
      const { version, epoch } = JSON.parse((await answer).body) as { version: number; epoch: string }
      return clients[i]!.request(getRequest(`/status?since=${version}&epoch=${epoch}&timeout=60`))
    })
    const writer = await Connection.open(target)
    await writer.request(postFormRequest('/cart', { session: 'a', action: 'add' }))
    await eventually(async () => (await heldBy(server.url)).longPoll === 300)
    await writer.request(postFormRequest('/cart', { session: 'b', action: 'add' }))
    for (const answer of await Promise.all(second)) expect(JSON.parse(answer.body)).toMatchObject({ version: 2 })
    for (const client of [...clients, writer]) client.close()
  })
})
