import type { IncomingMessage } from 'node:http'

/** Reads a request header by name, in any case; one sent more than once is joined as `Headers` joins it. */
export type HeaderReader = (name: string) => string | undefined

/** A header of Node's own request, read without building a `Headers` object for it. */
export function headerIn(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}

/** What the guards look at of a request, whichever front door it came through. */
export interface RequestFacts {
  readonly method: string
  readonly header: HeaderReader
  /** The address of the peer it came from; none without a socket, as in tests of the app alone. */
  readonly peer: string | undefined
}
