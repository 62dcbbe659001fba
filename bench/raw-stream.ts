// The load generator's stream client: one raw TCP connection per subscriber, following the classic stream as
// Server-Sent Events or over a WebSocket, with just enough of either protocol to read each update's version,
// so that the client costs far less than the servers it measures.
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { openSocket, type Answer, type Origin, type Target } from './raw-http.js'

export type StreamTransport = 'sse' | 'ws'

const REQUESTS: Record<StreamTransport, string> = {
  sse: 'GET /events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n',
  // Any key will do: the client does not check the server's answer to it.
  ws:
    'GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
}
const OPENED: Record<StreamTransport, number> = { sse: 200, ws: 101 }

const VERSION = /"version":(\d+)/

interface Waiting {
  readonly past: number
  resolve(answer: Answer): void
  reject(error: Error): void
}

/** A stream of the classic stock, read for the updates it carries. */
export class StreamConnection {
  readonly #socket: Socket
  readonly #transport: StreamTransport
  #buffer = ''
  /** Until the server has answered the request that opens the stream. */
  #opening: { resolve(): void; reject(error: Error): void } | undefined
  readonly #opened = new Promise<void>((resolve, reject) => (this.#opening = { resolve, reject }))
  #waiting: Waiting | undefined

  private constructor(socket: Socket, transport: StreamTransport) {
    this.#socket = socket
    this.#transport = transport
    // latin1 keeps each byte a character, so a WebSocket frame's length bytes read as they are.
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => this.#read(chunk))
    const fail = (error?: Error) => this.#fail(error ?? new Error('connection closed'))
    socket.on('error', fail)
    socket.on('close', () => fail())
    socket.write(REQUESTS[transport])
  }

  /**
   * Connects, from where `origin` says, asks for the stream, and resolves once the server has opened it: a
   * generator that waited only for connections would fill the server's queue of connections not yet
   * accepted, and each refused one would try again only a second later.
   */
  static async open(target: Target, transport: StreamTransport, origin: Origin = 'any'): Promise<StreamConnection> {
    const connection = new StreamConnection(await openSocket(target, origin), transport)
    await connection.#opened
    return connection
  }

  /** The first update of a version past `version`: its data, and when it arrived. */
  after(version: number): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.#waiting = { past: version, resolve, reject }
    })
  }

  /** Closes with a reset, which leaves no TIME_WAIT behind to use up local ports across runs. */
  close(): void {
    this.#socket.resetAndDestroy()
  }

  #fail(error: Error): void {
    this.#opening?.reject(error)
    this.#opening = undefined
    this.#waiting?.reject(error)
    this.#waiting = undefined
  }

  #read(chunk: string): void {
    this.#buffer += chunk
    if (this.#opening) {
      const headEnd = this.#buffer.indexOf('\r\n\r\n')
      if (headEnd < 0) return
      const status = Number(this.#buffer.slice(9, 12))
      if (status !== OPENED[this.#transport]) return this.#fail(new Error(`the stream was refused with ${status}`))
      this.#opening.resolve()
      this.#opening = undefined
      this.#buffer = this.#buffer.slice(headEnd + 4)
    }
    if (this.#transport === 'sse') this.#readEvents()
    else this.#readFrames()
  }

  /** Each complete `data:` line of the event stream; the chunked encoding's size lines are lines of their own. */
  #readEvents(): void {
    const end = this.#buffer.lastIndexOf('\n')
    if (end < 0) return
    for (const line of this.#buffer.slice(0, end).split('\n')) if (line.startsWith('data: ')) this.#update(line)
    this.#buffer = this.#buffer.slice(end + 1)
  }

  /** Each complete frame the server sent: unmasked, a text frame's payload an update. */
  #readFrames(): void {
    for (;;) {
      if (this.#buffer.length < 2) return
      const opcode = this.#buffer.charCodeAt(0) & 0x0f
      let length = this.#buffer.charCodeAt(1) & 0x7f
      let start = 2
      if (length === 126) {
        length = (this.#buffer.charCodeAt(2) << 8) | this.#buffer.charCodeAt(3)
        start = 4
      } else if (length === 127) {
        return this.#fail(new Error('an update larger than 64 KiB'))
      }
      if (this.#buffer.length < start + length) return
      if (opcode === 1) this.#update(this.#buffer.slice(start, start + length))
      this.#buffer = this.#buffer.slice(start + length)
    }
  }

  #update(data: string): void {
    const waiting = this.#waiting
    if (!waiting) return
    const version = Number(VERSION.exec(data)?.[1] ?? -1)
    if (version <= waiting.past) return
    this.#waiting = undefined
    waiting.resolve({ status: 200, body: data, at: performance.timeOrigin + performance.now() })
  }
}
