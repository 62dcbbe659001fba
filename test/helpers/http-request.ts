import { request as send } from 'node:http'
import { Readable } from 'node:stream'

/**
 * Sends a request the way `fetch` does, and answers it with a `Response` once its head has come, its body
 * streaming, but through node:http, which sends every header as it is given (`fetch` puts its own `Host`),
 * so that a test can send what any client could. Without a `Host` of its own, a request names the server as
 * `localhost`, the name a server on loopback answers for.
 */
export async function requestTo(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  const prepared = new Request(new URL(path, base), { ...init, signal: null })
  const body = Buffer.from(await prepared.arrayBuffer())
  const headers: Record<string, string> = { host: 'localhost', ...Object.fromEntries(new Headers(init.headers)) }
  const type = prepared.headers.get('Content-Type')
  if (type !== null && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = type
  }
  if (body.length > 0) headers['content-length'] ??= String(body.length)
  const { hostname, port, pathname, search } = new URL(path, base)
  return new Promise((resolve, reject) => {
    const outgoing = send({ hostname, port, path: pathname + search, method: prepared.method, headers }, (answer) => {
      const answered = new Headers()
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined) answered.set(name, Array.isArray(value) ? value.join(', ') : value)
      }
      const status = answer.statusCode!
      const stream = Readable.toWeb(answer) as ReadableStream<Uint8Array>
      resolve(new Response(status === 204 || status === 304 ? null : stream, { status, headers: answered }))
    })
    outgoing.once('error', reject)
    init.signal?.addEventListener('abort', () => outgoing.destroy(), { once: true })
    outgoing.end(body)
  })
}
