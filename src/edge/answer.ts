import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * Every API answer: JSON that is never cached. Headers are a plain, shared object rather than `Headers`,
 * because @hono/node-server writes a Response built that way straight to the socket, without building a
 * `Headers` per answer.
 */
const JSON_NO_STORE: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
})

export function jsonAnswer(json: string, status = 200, headers?: Readonly<Record<string, string>>): Response {
  return new Response(json, { status, headers: headers ? { ...JSON_NO_STORE, ...headers } : JSON_NO_STORE })
}

export const jsonAnswerOf = (value: unknown, status?: number, headers?: Readonly<Record<string, string>>): Response =>
  jsonAnswer(JSON.stringify(value), status, headers)

const REPLAYED: Readonly<Record<string, string>> = Object.freeze({ 'Idempotent-Replayed': 'true' })
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * The headers of an answer to an idempotent request: one given again for the same key is marked, as other
 * APIs with such keys do.
 */
export const replayHeaders = (replayed: boolean | undefined): Readonly<Record<string, string>> =>
  replayed ? REPLAYED : NO_HEADERS

/**
 * The same answers, written straight to Node's response: for the many answers of a fan-out, which share one
 * body, and so one header object, kept for the last body written without headers of its own. The body goes
 * as a string because Node then joins it to the head in one chunk, where a Buffer would be a second one.
 */
export class NodeJsonAnswers {
  #last = { json: '', headers: JSON_NO_STORE }

  write(outgoing: ServerResponse, json: string, headers?: Readonly<Record<string, string>>): void {
    let answer = this.#last
    if (headers || json !== answer.json) {
      answer = { json, headers: { ...JSON_NO_STORE, ...headers, 'Content-Length': String(Buffer.byteLength(json)) } }
      if (!headers) this.#last = answer
    }
    outgoing.writeHead(200, answer.headers)
    outgoing.end(json)
  }
}

/** A whole JSON answer written straight to Node's response: one of its own, such as a refusal. */
export function writeJson(
  outgoing: ServerResponse,
  status: number,
  json: string,
  headers?: Readonly<Record<string, string>>,
): void {
  outgoing.writeHead(status, { ...JSON_NO_STORE, ...headers, 'Content-Length': String(Buffer.byteLength(json)) })
  outgoing.end(json)
}

/**
 * Writes a whole answer to a socket that Node's HTTP server no longer answers on (a refused upgrade, a
 * request Node could not parse) and closes it once written: the client may not read it, and the socket must
 * not stay open waiting for it to.
 */
export function writeFinalAnswer(
  socket: Duplex,
  status: number,
  headers: Iterable<[string, string]>,
  body: string,
): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`]
  for (const [name, value] of headers)
    if (!/^(connection|content-length|transfer-encoding)$/i.test(name)) lines.push(`${name}: ${value}`)
  lines.push('Connection: close', `Content-Length: ${Buffer.byteLength(body)}`, '', body)
  socket.end(lines.join('\r\n'), () => socket.destroy())
}

/** A refusal as `writeFinalAnswer` writes it: the `{ error, message }` JSON of every other refusal. */
export const writeFinalRefusal = (
  socket: Duplex,
  status: number,
  error: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void =>
  writeFinalAnswer(socket, status, Object.entries({ ...JSON_NO_STORE, ...headers }), JSON.stringify({ error, message }))
