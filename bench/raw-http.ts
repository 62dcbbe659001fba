// The load generator's HTTP client: one raw TCP connection per waiter and just enough HTTP/1.1 to read
// Content-Length answers, so that the client costs far less than the servers it measures.
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

export interface Target {
  readonly host: string
  readonly port: number
}

export interface Answer {
  readonly status: number
  readonly body: string
  /** When the whole answer had arrived, in ms since the epoch: comparable across processes, unlike `performance.now()`. */
  readonly at: number
}

export const getRequest = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`

export function postFormRequest(path: string, fields: Record<string, string>): string {
  const body = new URLSearchParams(fields).toString()
  return (
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
    `Content-Length: ${body.length}\r\n\r\n${body}`
  )
}

/**
 * Where a connection comes from: wherever the kernel picks, or (`spread`) a loopback address and port named
 * for it, from thousands of addresses of 10 000 ports each, so that no address runs short of ports. Named
 * outright, because a port the kernel picks for a bound address is found by a search of the ports in use,
 * which slows with every connection already open, and would be counted as the server's slowness to open them.
 */
export type Origin = 'any' | 'spread'

const PORTS_PER_ADDRESS = 10_000
const FIRST_PORT = 20_000
const ADDRESSES = 250
/** How often a local end in use (by another process, or one a run just killed left behind) is passed over. */
const MAX_ENDS_TRIED = 100
/** The next local end, counted from a random one, so that processes that spread keep apart. */
let nextEnd = Math.floor(Math.random() * ADDRESSES * PORTS_PER_ADDRESS)

function spreadEnd(): { localAddress: string; localPort: number } {
  const end = nextEnd++ % (ADDRESSES * PORTS_PER_ADDRESS)
  return {
    localAddress: `127.0.0.${2 + Math.floor(end / PORTS_PER_ADDRESS)}`,
    localPort: FIRST_PORT + (end % PORTS_PER_ADDRESS),
  }
}

/** A TCP connection to `target`, once connected, from where `origin` says. */
export function openSocket(target: Target, origin: Origin, tries = 1): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const spread = origin === 'spread'
    const socket = connect({ host: target.host, port: target.port, ...(spread ? spreadEnd() : {}) })
    socket.setNoDelay(true)
    const failed = (error: NodeJS.ErrnoException) => {
      if (spread && error.code === 'EADDRINUSE' && tries < MAX_ENDS_TRIED)
        resolve(openSocket(target, origin, tries + 1))
      else reject(error)
    }
    socket.once('error', failed)
    socket.once('connect', () => {
      socket.off('error', failed)
      resolve(socket)
    })
  })
}

interface Pending {
  resolve(answer: Answer): void
  reject(error: Error): void
}

/** A kept-alive connection that sends one request at a time and reads each answer as it completes. */
export class Connection {
  readonly #socket: Socket
  readonly #pending: Pending[] = []
  #buffer = ''

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => this.#read(chunk))
    const fail = (error?: Error) => {
      for (const pending of this.#pending.splice(0)) pending.reject(error ?? new Error('connection closed'))
    }
    socket.on('error', fail)
    socket.on('close', () => fail())
  }

  static async open(target: Target, origin: Origin = 'any'): Promise<Connection> {
    return new Connection(await openSocket(target, origin))
  }

  request(text: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject })
      this.#socket.write(text)
    })
  }

  /** Closes with a reset, which leaves no TIME_WAIT behind to use up local ports across runs. */
  close(): void {
    this.#socket.resetAndDestroy()
  }

  #read(chunk: string): void {
    this.#buffer += chunk
    for (;;) {
      const headerEnd = this.#buffer.indexOf('\r\n\r\n')
      if (headerEnd < 0) return
      const head = this.#buffer.slice(0, headerEnd)
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
      const end = headerEnd + 4 + length
      if (this.#buffer.length < end) return
      const status = Number(head.slice(9, 12))
      const body = this.#buffer.slice(headerEnd + 4, end)
      this.#buffer = this.#buffer.slice(end)
      this.#pending.shift()?.resolve({ status, body, at: performance.timeOrigin + performance.now() })
    }
  }
}

/** Sends one request on a connection of its own, and closes it. */
export async function requestOnce(target: Target, text: string): Promise<Answer> {
  const connection = await Connection.open(target)
  try {
    return await connection.request(text)
  } finally {
    connection.close()
  }
}
