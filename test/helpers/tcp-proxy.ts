import { once } from 'node:events'
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net'

/** One client's connection through the proxy: the client's side, and the proxy's own to the target. */
interface Pair {
  readonly client: Socket
  readonly upstream: Socket
}

/**
 * A TCP proxy on loopback that can silently stop carrying one connection: its sockets stay open and
 * nothing is closed or reset, as when a network path drops packets or a middlebox forgets a flow. Every
 * connection is told apart by the local port of the proxy's own connection to the target, which is the
 * client address the target sees.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1') {
  const pairs = new Set<Pair>()
  let refusing = false
  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = createConnection({ port: targetPort, host: targetHost })
    const pair = { client, upstream }
    pairs.add(pair)
    client.pipe(upstream)
    upstream.pipe(client)
    const drop = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.once('close', drop).on('error', drop)
    upstream.once('close', drop).on('error', drop)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')

  return {
    port: (server.address() as AddressInfo).port,
    /** Stops carrying, either way, the connection the target sees coming from `upstreamPort`. */
    freeze(upstreamPort: number): void {
      const pair = [...pairs].find(({ upstream }) => upstream.localPort === upstreamPort)
      if (!pair) throw new Error(`no connection through the proxy comes from port ${upstreamPort}`)
      pair.client.unpipe(pair.upstream)
      pair.upstream.unpipe(pair.client)
      pair.client.pause()
      pair.upstream.pause()
    },
    /** Closes every connection through it, and every one made until `mend`, as a target that went down does. */
    cut(): void {
      refusing = true
      for (const { client, upstream } of pairs) {
        client.destroy()
        upstream.destroy()
      }
    },
    /** Carries connections again, as a target that came back does. */
    mend(): void {
      refusing = false
    },
    async close(): Promise<void> {
      for (const { client, upstream } of pairs) {
        client.destroy()
        upstream.destroy()
      }
      server.close()
      await once(server, 'close')
    },
  }
}
