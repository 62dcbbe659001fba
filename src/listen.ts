import { createServer, type Server, type ServerOptions } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import { jsonAnswerOf, writeFinalRefusal } from './edge/answer.js'
import { answerClientErrors } from './edge/client-errors.js'
import type { Gateway } from './gateway/gateway.js'

/** What serves a server's requests now: the gateway takes its own, the app the rest. */
export interface FrontDoors {
  readonly api: Pick<Hono, 'fetch'>
  /** None until the store is reached: the app then answers for everything. */
  readonly gateway: Gateway | undefined
}

export interface ListenOptions {
  readonly host: string
  readonly port: number
  readonly headersTimeoutSeconds: number
}

/** A server that listens, and every socket it has open, upgraded ones included. */
export interface Listening {
  readonly server: Server
  /** Where it listens, as `http://host:port`. */
  readonly url: string
  readonly sockets: ReadonlySet<Socket>
}

/**
 * A client must send its request's headers within `headersTimeoutSeconds` and the whole request within
 * twice that, or its connection is cut; Node checks every second. These bound only the receiving of a
 * request, so a long poll or a stream, whose request is in, lives as long as it is meant to.
 */
const cutOffTimes = (headersTimeoutSeconds: number): ServerOptions => ({
  headersTimeout: headersTimeoutSeconds * 1000,
  requestTimeout: 2 * headersTimeoutSeconds * 1000,
  connectionsCheckingInterval: 1000,
})

/**
 * Listens with node:http and hands each request to the front door `doors()` names for it now: the
 * gateway's paths to the gateway, straight from Node's request event, and everything else to the app; every
 * upgrade to the gateway, which takes a WebSocket on its path and refuses the rest. Node's own refusals of
 * requests it cannot parse are answered as every refusal is.
 */
export async function listen(doors: () => FrontDoors, options: ListenOptions): Promise<Listening> {
  const toApp = getRequestListener((request, env) => doors().api.fetch(request, env), {
    hostname: options.host,
    // A request whose URL cannot be built from its target and Host never reaches the app.
    errorHandler: () =>
      jsonAnswerOf({ error: 'invalid_request', message: 'the request target or Host is not valid' }, 400),
  })
  const server = createServer(cutOffTimes(options.headersTimeoutSeconds), (incoming, outgoing) => {
    const { gateway } = doors()
    if (gateway?.takes(incoming.method, incoming.url ?? '/')) gateway.serve(incoming, outgoing)
    else void toApp(incoming, outgoing)
  })
  answerClientErrors(server)
  server.on('upgrade', (incoming, socket: Socket, head: Buffer) => {
    const { gateway } = doors()
    if (gateway) return gateway.upgrade(incoming, socket, head)
    writeFinalRefusal(socket, 503, 'store_unavailable', 'the stock cannot be reached right now; try again', {
      'Retry-After': '1',
    })
  })
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return { server, url: `http://${host}:${port}`, sockets }
}
