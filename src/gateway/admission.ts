import type { IncomingMessage } from 'node:http'
import type { AllowedHosts } from '../edge/guards/allowed-host.js'
import { assertBodyWithin } from '../edge/guards/body-limit.js'
import type { ClientAddresses } from '../edge/guards/client-address.js'
import type { CrossOrigin } from '../edge/guards/cross-origin.js'
import type { HeldPerClient } from '../edge/guards/held-per-client.js'
import type { SameOrigin } from '../edge/guards/same-origin.js'
import { headerIn, type RequestFacts } from '../edge/request-facts.js'

/** The largest body a request may carry: the push transports read none, and take one as small as any route's. */
export const MAX_BODY_BYTES = 1024

export interface AdmissionOptions {
  readonly hosts: AllowedHosts
  readonly clients: ClientAddresses
  readonly sameOrigin: SameOrigin
  readonly crossOrigin: CrossOrigin
  readonly heldPerClient: HeldPerClient
}

/** A request let in to be held: the client it counts under, and the function that counts it off, once. */
export interface Admitted {
  readonly client: string
  readonly release: () => void
}

/** What the guards read of Node's own request. */
export const factsOf = (incoming: IncomingMessage): RequestFacts => ({
  method: incoming.method ?? 'GET',
  header: (name) => headerIn(incoming, name),
  peer: incoming.socket.remoteAddress,
})

/**
 * Lets a request in to be held (a long poll, an event stream, a WebSocket), or refuses it with the
 * `ApiError` the app would: a host the shop is not known by (403), a body past the limit (413, 411), another
 * site's page opening a socket (403), a client that holds its share of open requests already (429). The
 * transport then asks the hub to hold it, which refuses it when full (503), and counts it off when its
 * connection closes.
 */
export class Admission {
  constructor(readonly options: AdmissionOptions) {}

  /** The checks every request of the gateway passes, held or not. */
  check(incoming: IncomingMessage): RequestFacts {
    const facts = factsOf(incoming)
    const host = facts.header('Host')
    this.options.hosts.assert(host)
    assertBodyWithin(facts.header, MAX_BODY_BYTES)
    this.options.sameOrigin.assert(facts, host ?? '')
    return facts
  }

  /** Whether pages on other origins may ask before they send (CORS): their preflights are then answered. */
  get preflights(): boolean {
    return this.options.crossOrigin.enabled
  }

  /** The CORS headers of the answer to a checked request to `path`: what a page on another origin may read. */
  crossOriginHeaders({ header }: RequestFacts, path: string): Readonly<Record<string, string>> | undefined {
    return this.options.crossOrigin.headersFor(header('Origin'), path)
  }

  /** The client a checked request counts under, counted one more held request. */
  admit({ header, peer }: RequestFacts): Admitted {
    const client = this.options.clients.of(peer, header('X-Forwarded-For'))
    return { client, release: this.options.heldPerClient.admit(client) }
  }
}
