import { ApiError } from '../api-error.js'
import { Remembered } from '../remembered.js'

/** How many distinct `Host` values are remembered with their verdict; browsers send very few. */
const REMEMBERED_HOSTS = 64

/** The host name a `Host` header names, as URLs write it: lower case, without the port, IPv6 in brackets. */
const hostNameOf = (host: string): string =>
  URL.canParse(`http://${host}`) ? new URL(`http://${host}`).hostname : host

/**
 * The host names the shop is known by. A page on an attacker's domain that resolves to this server (DNS
 * rebinding) is same-origin with itself, so the Origin check lets it through; its `Host` still names the
 * attacker's domain. Requests without `Host` come from no browser and pass.
 */
export class AllowedHosts {
  /** Each `Host` value seen lately, with whether it is allowed: parsing one as a URL for every poll costs. */
  readonly #verdicts: Remembered<string, boolean> | undefined

  constructor(allowedHosts: readonly string[] | 'any') {
    if (allowedHosts === 'any') return
    const allowed = new Set(allowedHosts)
    this.#verdicts = new Remembered(REMEMBERED_HOSTS, (host) => allowed.has(hostNameOf(host)))
  }

  allows(host: string | undefined): boolean {
    if (host === undefined || !this.#verdicts) return true
    return this.#verdicts.of(host)
  }

  /** Refuses, with 403, a request sent to a host name the shop is not known by. */
  assert(host: string | undefined): void {
    if (!this.allows(host)) {
      throw new ApiError(403, 'host_not_allowed', `this server does not answer for the host ${JSON.stringify(host)}`)
    }
  }
}
