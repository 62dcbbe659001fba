import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { textFrame } from '../../src/gateway/websocket-frame.js'

describe('textFrame', () => {
  let server: Server | undefined
  afterEach(() => server?.close())

  /** What a WebSocket client reads of frames a server wrote to the socket as they are. */
  async function received(texts: readonly string[]): Promise<string[]> {
    const sockets = new WebSocketServer({ noServer: true })
    server = createServer()
    server.on('upgrade', (request, socket, head) =>
      sockets.handleUpgrade(request, socket, head, () => {
        for (const text of texts) socket.write(textFrame(text))
      }),
    )
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
    const messages: string[] = []
    await new Promise<void>((resolve, reject) => {
      client.on('message', (data, isBinary) => {
        expect(isBinary).toBe(false)
        messages.push((data as Buffer).toString())
        if (messages.length === texts.length) resolve()
      })
      client.on('error', reject)
    })
    client.close()
    return messages
  }

  it('is read by a WebSocket client as the text it carries, at every length the header encodes differently', async () => {
    // 7-bit, 16-bit and 64-bit lengths, their edges, and text that is not ASCII.
    const texts = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000].map((length) => 'x'.repeat(length))
    texts.push('{"name":"Ünïcödé ✓"}')
    expect(await received(texts)).toEqual(texts)
  })
})
