import type { MiddlewareHandler } from 'hono'
import type { AppContext, AppEnv } from '../app-env.js'
import { clientPeerOf, headerOf } from '../node-bindings.js'

/** An IPv4 peer as Node reports it on a dual-stack socket (`::ffff:127.0.0.1`) is the IPv4 address. */
const plainAddress = (address: string): string => (address.startsWith('::ffff:') ? address.slice(7) : address)

/**
 * Puts on the context, as `client`, the address each request came from, which the per-client limits count
 * by. A request a `trustedProxies` address forwarded is counted by the address its proxies say they had it
 * from: the right-most in `X-Forwarded-For` that is not one of them, since each proxy appends the address it
 * saw and a client can write anything to the left of that. Requests made without a socket (`app.request()`
 * in tests) all count as one client.
 */
export function clientAddress(trustedProxies: readonly string[]): MiddlewareHandler<AppEnv> {
  const trusted = new Set(trustedProxies.map(plainAddress))
  const addressOf = (c: AppContext): string => {
    const peer = clientPeerOf(c)
    if (peer === undefined) return 'local'
    if (!trusted.has(plainAddress(peer))) return peer
    const hops =
      headerOf(c, 'X-Forwarded-For')
        ?.split(',')
        .map((hop) => plainAddress(hop.trim())) ?? []
    return hops.reverse().find((hop) => hop !== '' && !trusted.has(hop)) ?? peer
  }
  return async function clientAddress(c, next) {
    c.set('client', addressOf(c))
    await next()
  }
}
