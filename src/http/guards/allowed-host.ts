import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../api-error.js'
import { headerOf } from '../node-bindings.js'

/** The host name a `Host` header names, as URLs write it: lower case, without the port, IPv6 in brackets. */
const hostNameOf = (host: string): string =>
  URL.canParse(`http://${host}`) ? new URL(`http://${host}`).hostname : host

/**
 * Refuses, with 403, a request sent to a host name the shop is not known by. A page on an attacker's domain
 * that resolves to this server (DNS rebinding) is same-origin with itself, so the Origin check lets it
 * through; its `Host` still names the attacker's domain. Requests without `Host` come from no browser and pass.
 */
export function allowedHost(allowedHosts: readonly string[] | 'any'): MiddlewareHandler {
  const allowed = allowedHosts === 'any' ? undefined : new Set(allowedHosts)
  return async function allowedHost(c, next) {
    const host = headerOf(c, 'Host')
    if (allowed && host !== undefined && !allowed.has(hostNameOf(host))) {
      throw new ApiError(403, 'host_not_allowed', `this server does not answer for the host ${JSON.stringify(host)}`)
    }
    await next()
  }
}
