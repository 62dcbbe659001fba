// The reference for `npm run bench`: the same classic API as stockpoll (/status, /events, /ws, /cart,
// /inventory, /healthz) on plain node:http and ws, with no framework, no validation library and no hub. A
// change answers every held request and writes to every stream and socket in one synchronous loop before the
// writer is answered — the classic design, and the "how fast can Node do this at all" mark that stockpoll is
// measured against.
//
// With BASELINE_YIELD_EVERY=n (`npm run bench -- --baseline-yield-every n`) it reaches n clients a turn
// instead, after the writer, as stockpoll does so as not to block writers: what that choice costs by itself.
import { createServer, type ServerResponse } from 'node:http'
import { WebSocketServer } from 'ws'

interface Waiter {
  readonly since: number
  readonly response: ServerResponse
  readonly timer: NodeJS.Timeout
}

const total = Number(process.env.TOTAL_INVENTORY ?? 10)
const yieldEvery = Number(process.env.BASELINE_YIELD_EVERY ?? 0)
const holders = new Set<string>()
let version = 0
let body = snapshotJson()
const waiters = new Set<Waiter>()
const streams = new Set<ServerResponse>()
const sockets = new WebSocketServer({ noServer: true })

function snapshotJson(): string {
  return JSON.stringify({ inventoryCount: total - holders.size, totalInventory: total, version })
}

function send(response: ServerResponse, status: number, json: string): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) })
  response.end(json)
}

function release(waiter: Waiter): void {
  waiters.delete(waiter)
  clearTimeout(waiter.timer)
  send(waiter.response, 200, body)
}

const eventOf = (json: string) => `event: stock\nid: ${version}\ndata: ${json}\n\n`

function answerDue(): void {
  const event = eventOf(body)
  if (!yieldEvery) {
    for (const waiter of waiters) if (waiter.since < version) release(waiter)
    for (const stream of streams) stream.write(event)
    for (const socket of sockets.clients) socket.send(body)
    return
  }
  const due = [
    ...[...waiters]
      .filter((waiter) => waiter.since < version)
      .map((waiter) => () => waiters.has(waiter) && release(waiter)),
    ...[...streams].map((stream) => () => stream.write(event)),
    ...[...sockets.clients].map((socket) => () => socket.send(body)),
  ]
  let next = 0
  const answerSome = () => {
    for (const end = Math.min(next + yieldEvery, due.length); next < end; next++) due[next]!()
    if (next < due.length) setImmediate(answerSome)
  }
  setImmediate(answerSome)
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://baseline')
  if (request.method === 'GET' && url.pathname === '/status') {
    const since = Number(url.searchParams.get('since') ?? version)
    if (since < version) return send(response, 200, body)
    const timeoutMs = Number(url.searchParams.get('timeout') ?? 25) * 1000
    const waiter: Waiter = { since, response, timer: setTimeout(() => release(waiter), timeoutMs) }
    waiters.add(waiter)
    response.on('close', () => {
      waiters.delete(waiter)
      clearTimeout(waiter.timer)
    })
    return
  }
  if (request.method === 'GET' && url.pathname === '/events') {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    response.write(eventOf(body))
    streams.add(response)
    response.on('close', () => streams.delete(response))
    return
  }
  if (request.method === 'POST' && url.pathname === '/cart') {
    let form = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (form += chunk))
    request.on('end', () => {
      const fields = new URLSearchParams(form)
      const session = fields.get('session') ?? ''
      const action = fields.get('action')
      let changed = false
      if (action === 'add' && !holders.has(session)) {
        if (holders.size >= total) return send(response, 409, '{"error":"sold_out","message":"sold out"}')
        holders.add(session)
        changed = true
      } else if (action === 'remove' && holders.has(session)) {
        holders.delete(session)
        changed = true
      }
      if (changed) {
        version++
        body = snapshotJson()
        answerDue()
      }
      send(response, 200, `${body.slice(0, -1)},"inCart":${holders.has(session)}}`)
    })
    return
  }
  if (request.method === 'GET' && url.pathname === '/inventory') return send(response, 200, body)
  if (request.method === 'GET' && url.pathname === '/healthz') {
    const held = { longPoll: waiters.size, sse: streams.size, ws: sockets.clients.size }
    return send(response, 200, JSON.stringify({ ok: true, held }))
  }
  send(response, 404, '{"error":"not_found","message":"not found"}')
})

server.on('upgrade', (request, socket, head) => {
  if (new URL(request.url ?? '/', 'http://baseline').pathname !== '/ws') return socket.destroy()
  sockets.handleUpgrade(request, socket, head, (ws) => ws.send(body))
})

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address()
  if (address && typeof address === 'object') console.log(`baseline: on http://127.0.0.1:${address.port}`)
})
process.once('SIGTERM', () => process.exit(0))
