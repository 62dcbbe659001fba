import type { ServerResponse } from 'node:http'

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

/**
 * The same answer, written straight to Node's response: for the many answers of a fan-out. The body goes as
 * a string because Node then joins it to the head in one chunk, where a Buffer would be a second one.
 */
export function writeJsonAnswer(outgoing: ServerResponse, json: string, headers?: Readonly<Record<string, string>>): void {
  outgoing.writeHead(200, { ...JSON_NO_STORE, ...headers, 'Content-Length': Buffer.byteLength(json) })
  outgoing.end(json)
}
