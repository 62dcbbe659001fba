import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { openEventStream } from '../helpers/event-stream.js'
import {
  maskedTextFrame,
  parseAnswer,
  rawConnection,
  rawWebSocket,
  requestText,
  sendRaw,
  WEBSOCKET_HANDSHAKE,
} from '../helpers/raw-socket.js'
import { heldBy, useServers } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'
import { useServerProcesses } from '../helpers/server-process.js'

describe('a real server against hostile clients', () => {
  const start = useServers()

  it('answers an upgrade to a protocol it does not speak with a JSON 400, and closes the socket', async () => {
    const server = await start()
    for (const path of ['/', '/inventory', '/ws']) {
      const answer = parseAnswer(
        await sendRaw(server.url, requestText(server.url, path, { Connection: 'Upgrade', Upgrade: 'h2c' })),
      )
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual({
        error: 'invalid_request',
        message: 'this server upgrades only to websocket, not "h2c"',
      })
    }
    // Closed, not left open: the server still closes promptly, with nothing held.
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('refuses a WebSocket upgrade anywhere but /ws with a JSON 400, holding nothing', async () => {
    const server = await start()
    // More than MAX_WAITERS_PER_IP (100): were they held, this address would be refused at the end.
    for (let i = 0; i < 120; i++) {
      const path = i % 2 ? '/events' : '/status?since=0'
      const answer = parseAnswer(await sendRaw(server.url, requestText(server.url, path, WEBSOCKET_HANDSHAKE)))
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({
        error: 'invalid_request',
        message: expect.stringContaining('only /ws takes a WebSocket'),
      })
    }
    expect(await heldBy(server.url)).toEqual({ longPoll: 0, sse: 0, ws: 0 })
    const stream = await openEventStream(`${server.url}/events`)
    expect(stream.response.statusCode).toBe(200)
    stream.close()
  })

  it('refuses a WebSocket handshake it cannot complete with a JSON 400, and one from another site with a JSON 403', async () => {
    const server = await start()
    const badKey = parseAnswer(
      await sendRaw(
        server.url,
        requestText(server.url, '/ws', { ...WEBSOCKET_HANDSHAKE, 'Sec-WebSocket-Key': 'short' }),
      ),
    )
    expect(badKey).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', message: 'Sec-WebSocket-Key must be 16 bytes in base64' },
    })
    const foreign = parseAnswer(
      await sendRaw(
        server.url,
        requestText(server.url, '/ws', { ...WEBSOCKET_HANDSHAKE, Origin: 'https://evil.example' }),
      ),
    )
    expect(foreign).toMatchObject({ status: 403, body: { error: 'cross_origin' } })
    expect(await heldBy(server.url)).toEqual({ longPoll: 0, sse: 0, ws: 0 })
  })

  it("answers what Node's parser refuses with the same JSON every other refusal has", async () => {
    const server = await start()
    const garbage = parseAnswer(await sendRaw(server.url, 'GARBAGE\r\n\r\n'))
    expect(garbage).toMatchObject({ status: 400, body: { error: 'invalid_request', message: expect.any(String) } })
    const huge = parseAnswer(
      await sendRaw(server.url, requestText(server.url, '/inventory', { 'X-Padding': 'x'.repeat(20_000) })),
    )
    expect(huge).toMatchObject({ status: 431, body: { error: 'headers_too_large', message: expect.any(String) } })
  })

  it('cuts a WebSocket client that sends and never reads, once its unsent backlog passes the limit', async () => {
    const server = await start()
    const socket = await rawWebSocket(server.url)
    // It reads nothing from here on: every answer piles up, first in the kernel's buffers, then in the server's.
    socket.pause()
    socket.on('error', () => {})
    await eventually(async () => (await heldBy(server.url)).ws === 1)
    const frames = Buffer.concat(Array.from({ length: 10_000 }, () => maskedTextFrame('x')))
    let sent = 0
    // Each 1-byte frame is answered with an error frame of ~100 bytes: without a limit, 300 000 of them
    // would leave ~30 MB queued in the server for this one client.
    while (!socket.destroyed && (await heldBy(server.url)).ws === 1 && sent < 300_000) {
      const drained = socket.write(frames)
      sent += 10_000
      if (!drained) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve))
    }
    await eventually(async () => (await heldBy(server.url)).ws === 0, 2000)
    expect(sent).toBeLessThan(300_000)
    socket.destroy()
  }, 30_000)
})

describe('a server process shutting down', () => {
  const { startServerProcess } = useServerProcesses()

  it('cuts a WebSocket client that never answers the close frame once the grace ends, and exits', async () => {
    const { child, url } = await startServerProcess({ SHUTDOWN_SPREAD_MS: '0' })
    const silent = await rawWebSocket(url)
    // It never reads, so never answers the close frame; ws would wait 30 s for it.
    silent.pause()
    silent.on('error', () => {})
    const signalled = Date.now()
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number]
    expect(code).toBe(0)
    // The spread (0 here) and a grace of 4 s.
    expect(Date.now() - signalled).toBeLessThan(6000)
    silent.destroy()
  }, 15_000)

  it('is not kept open by a socket that asked for an upgrade', async () => {
    const { child, url } = await startServerProcess({ SHUTDOWN_SPREAD_MS: '0' })
    const sockets = await Promise.all(Array.from({ length: 20 }, () => rawConnection(url)))
    for (const socket of sockets) {
      socket.on('error', () => {})
      socket.write(requestText(url, '/', { Connection: 'Upgrade', Upgrade: 'h2c' }))
    }
    await sleep(200)
    const signalled = Date.now()
    child.kill('SIGTERM')
    await once(child, 'exit')
    expect(Date.now() - signalled).toBeLessThan(2000)
    for (const socket of sockets) socket.destroy()
  }, 15_000)
})
