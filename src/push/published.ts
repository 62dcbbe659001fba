import type { StockSnapshot } from '../domain/stock-snapshot.js'

/** Turns a version into one transport's wire form, such as a Server-Sent Event or a WebSocket frame. */
export type Encoding = (published: Published) => string

/**
 * A version of the stock as it goes on the wire: serialised once, then sent to every waiter and subscriber.
 * Each transport's own framing is built the first time it is asked for and shared from then on, so a
 * version is encoded once per transport however many clients receive it.
 */
export class Published {
  readonly json: string
  readonly #encoded = new Map<Encoding, string>()

  constructor(readonly snapshot: StockSnapshot) {
    this.json = JSON.stringify(snapshot)
  }

  as(encoding: Encoding): string {
    let encoded = this.#encoded.get(encoding)
    if (encoded === undefined) this.#encoded.set(encoding, (encoded = encoding(this)))
    return encoded
  }
}
