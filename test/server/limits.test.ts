import { once } from 'node:events'
import { request } from 'node:http'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MAX_ADMIN_FAILURES, MAX_ADMIN_FAILURES_IN_ALL } from '../../src/api/guards/bearer-auth.js'
import { openEventStream } from '../helpers/event-stream.js'
import { heldBy, postCart, useServers } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'

describe('limits on a real server', () => {
  const start = useServers()

  it('cuts off a client that sends its headers too slowly, while a long poll lives its whole timeout', async () => {
    const server = await start({ HEADERS_TIMEOUT_SECONDS: '1' })
    const { hostname, port } = new URL(server.url)

    const slow = connect(Number(port), hostname)
    let answer = ''
    slow.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    await once(slow, 'connect')
    slow.write('GET /inventory HTTP/1.1\r\nHost: slow\r\n')
    const startedAt = Date.now()
    const polled = fetch(`${server.url}/status?since=0&timeout=4`)

    await once(slow, 'close')
    expect(Date.now() - startedAt).toBeLessThan(3500)
    expect(answer).toMatch(/^HTTP\/1.1 408 /)
    const poll = await polled
    expect(poll.status).toBe(200)
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3900)
  }, 10_000)

  it('takes a change from a page of its own origin only: the same scheme as well as the same host', async () => {
    const changeFrom = (url: string, headers: Record<string, string>) => postCart(url, 's', 'remove', headers)
    const plain = await start()
    const host = new URL(plain.url).host
    expect((await changeFrom(plain.url, { Origin: `http://${host}` })).status).toBe(200)
    const https = await changeFrom(plain.url, { Origin: `https://${host}` })
    expect(https.status).toBe(403)
    expect(await https.json()).toMatchObject({ error: 'cross_origin' })
    // Nor does a client's own word make it https: only a trusted proxy's.
    expect((await changeFrom(plain.url, { Origin: `https://${host}`, 'X-Forwarded-Proto': 'https' })).status).toBe(403)

    const proxied = await start({ TRUSTED_PROXIES: '127.0.0.1' })
    const behind = new URL(proxied.url).host
    const overTls = { 'X-Forwarded-Proto': 'https' }
    expect((await changeFrom(proxied.url, { ...overTls, Origin: `https://${behind}` })).status).toBe(200)
    expect((await changeFrom(proxied.url, { ...overTls, Origin: `http://${behind}` })).status).toBe(403)
  })

  it('locks out a guesser of the admin token who spreads its guesses over many addresses', async () => {
    const token = 'limits-test-admin-token-0123456789abcdef'
    const server = await start({ ADMIN_TOKEN: token })
    const { hostname, port } = new URL(server.url)
    /** GET /admin/verify with `bearer`, from the loopback address 127.0.0.`from`. */
    const verifyFrom = (from: number, bearer: string) =>
      new Promise<number>((resolve, reject) => {
        request(
          { host: hostname, port, path: '/admin/verify', localAddress: `127.0.0.${from}`, agent: false },
          (answer) => {
            answer.resume()
            resolve(answer.statusCode!)
          },
        )
          .setHeader('Authorization', `Bearer ${bearer}`)
          .once('error', reject)
          .end()
      })
    const statuses: number[] = []
    for (let from = 10; from < 60; from++) {
      for (let guess = 0; guess < MAX_ADMIN_FAILURES; guess++) statuses.push(await verifyFrom(from, `guess-${guess}`))
    }
    // No one address failed more than it may, yet all of them together are stopped.
    expect(statuses.filter((status) => status === 401)).toHaveLength(MAX_ADMIN_FAILURES_IN_ALL)
    expect(statuses.filter((status) => status === 429)).toHaveLength(statuses.length - MAX_ADMIN_FAILURES_IN_ALL)
    expect(await verifyFrom(200, token)).toBe(429)
  })

  it('refuses a body over 1 KiB with 413 and one without a length with 411, and changes nothing', async () => {
    const server = await start()
    const big = await fetch(`${server.url}/cart`, {
      method: 'POST',
      body: new URLSearchParams({ session: 'big', action: 'add', padding: 'x'.repeat(1100) }),
    })
    expect(big.status).toBe(413)
    expect(await big.json()).toEqual({ error: 'body_too_large', message: 'a request body may be at most 1024 bytes' })

    const chunks = new Blob(['session=chunked&action=add']).stream()
    const chunked = await fetch(`${server.url}/cart`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: chunks,
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(411)
    expect(await chunked.json()).toMatchObject({ error: 'length_required' })
    expect(await (await fetch(`${server.url}/inventory`)).json()).toMatchObject({ inventoryCount: 10, version: 0 })
  })

  it('counts event streams and WebSockets against MAX_WAITERS_PER_IP', async () => {
    const server = await start({ MAX_WAITERS_PER_IP: '2' })
    const stream = await openEventStream(`${server.url}/events`)
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`)
    await once(socket, 'open')

    expect((await fetch(`${server.url}/status?since=0`)).status).toBe(429)
    const refusedStream = await fetch(`${server.url}/events`)
    expect(refusedStream.status).toBe(429)
    const refusedSocket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`)
    const [, response] = (await once(refusedSocket, 'unexpected-response')) as [unknown, { statusCode: number }]
    expect(response.statusCode).toBe(429)

    stream.close()
    socket.close()
  })

  it('behind TRUSTED_PROXIES counts each client by X-Forwarded-For, and otherwise by the address it came from', async () => {
    const from = (url: string, forwardedFor: string) =>
      fetch(`${url}/status?since=0&timeout=5`, { headers: { 'X-Forwarded-For': forwardedFor } })
    const proxied = await start({ MAX_WAITERS_PER_IP: '1', TRUSTED_PROXIES: '127.0.0.1' })
    void from(proxied.url, '203.0.113.1')
    await eventually(async () => (await heldBy(proxied.url)).longPoll === 1)
    // What a client writes to the left of the address the proxy appended is not believed.
    expect((await from(proxied.url, '198.51.100.7, 203.0.113.1')).status).toBe(429)
    void from(proxied.url, '203.0.113.2')
    await eventually(async () => (await heldBy(proxied.url)).longPoll === 2)

    const direct = await start({ MAX_WAITERS_PER_IP: '1' })
    void from(direct.url, '203.0.113.1')
    await eventually(async () => (await heldBy(direct.url)).longPoll === 1)
    expect((await from(direct.url, '203.0.113.2')).status).toBe(429)
  })

  it("refuses a WebSocket opened by another site's page with 403", async () => {
    const server = await start()
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { origin: 'https://evil.example' })
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }]
    expect(response.statusCode).toBe(403)
  })
})
