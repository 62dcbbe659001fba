import { ApiError } from '../api-error.js'
import type { RequestFacts } from '../request-facts.js'
import type { ClientAddresses } from './client-address.js'
import type { CrossOrigin } from './cross-origin.js'

/**
 * Refuses, with 403, a request that could change state (any method but GET and HEAD, or a WebSocket, which
 * carries cart commands) when the browser says it comes from another site's page: an `Origin` that is
 * neither the shop's own nor one of the allowed. The shop's own is the scheme and the host the request was
 * sent to (`https` only where a trusted proxy says the client used it: a page on `https://` is another origin
 * than the same host on `http://`). Requests without `Origin`, such as curl's and scripts', are not a browser
 * acting for a shopper and pass.
 */
export class SameOrigin {
  constructor(
    /** Which other origins' pages the shop lets in: the same list lets them read and change. */
    readonly crossOrigin: CrossOrigin,
    readonly clients: ClientAddresses,
  ) {}

  /** Throws the 403 for a request to `host` (as its `Host` names it) that another site's page sent. */
  assert({ method, header, peer }: RequestFacts, host: string): void {
    const origin = header('Origin')
    const changesState = !['GET', 'HEAD'].includes(method) || header('Upgrade')?.toLowerCase() === 'websocket'
    if (origin === undefined || !changesState || this.crossOrigin.allows(origin)) return
    const scheme = this.clients.schemeOf(peer, header('X-Forwarded-Proto'))
    if (origin !== `${scheme}://${host}`) {
      throw new ApiError(403, 'cross_origin', `requests from pages at ${origin} may not change carts here`)
    }
  }
}
