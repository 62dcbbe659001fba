/** An IPv4 peer as Node reports it on a dual-stack socket (`::ffff:127.0.0.1`) is the IPv4 address. */
const plainAddress = (address: string): string => (address.startsWith('::ffff:') ? address.slice(7) : address)

/**
 * The address a request came from, which the per-client limits count by. A request a trusted proxy
 * forwarded is counted by the address its proxies say they had it from: the right-most in `X-Forwarded-For`
 * that is not one of them, since each proxy appends the address it saw and a client can write anything to the
 * left of that. A request whose peer Node no longer knows (its socket already closed) counts as `local`.
 */
export class ClientAddresses {
  readonly #trusted: ReadonlySet<string>

  constructor(trustedProxies: readonly string[]) {
    this.#trusted = new Set(trustedProxies.map(plainAddress))
  }

  /**
   * The scheme the client used: `https` when a trusted proxy that took the request over TLS says so in
   * `X-Forwarded-Proto` (stockpoll itself speaks plain HTTP), `http` otherwise.
   */
  schemeOf(peer: string | undefined, forwardedProto: string | undefined): 'http' | 'https' {
    const said = forwardedProto?.split(',', 1)[0]?.trim().toLowerCase()
    return peer !== undefined && this.#trusted.has(plainAddress(peer)) && said === 'https' ? 'https' : 'http'
  }

  of(peer: string | undefined, forwardedFor: string | undefined): string {
    if (peer === undefined) return 'local'
    if (!this.#trusted.has(plainAddress(peer))) return peer
    const hops = forwardedFor?.split(',').map((hop) => plainAddress(hop.trim())) ?? []
    return hops.reverse().find((hop) => hop !== '' && !this.#trusted.has(hop)) ?? peer
  }
}
