import type { ProductStock } from '../domain/product.js'

/**
 * Turns an update into one transport's wire form, such as a Server-Sent Event or a WebSocket frame: text, or
 * the bytes that go on the wire as they are.
 */
export type Encoding<Form extends string | Buffer = string> = (update: Update) => Form

/**
 * What a client is sent: the products it watches that it lacks, at a version of the catalog. Clients that
 * watch the same products from the same cursor are sent the same update; each transport's form of it is
 * built the first time it is asked for and shared from then on, so an update is encoded once per transport
 * however many clients receive it.
 */
export class Update {
  readonly #encoded = new Map<Encoding<string | Buffer>, string | Buffer>()

  constructor(
    readonly epoch: string,
    /** The catalog's version: the cursor for the client's next wait. */
    readonly version: number,
    readonly products: readonly ProductStock[],
    /** The client's cursor was of another epoch: it must forget what it has and redraw from these. */
    readonly resync: boolean,
  ) {}

  as<Form extends string | Buffer>(encoding: Encoding<Form>): Form {
    let encoded = this.#encoded.get(encoding) as Form | undefined
    if (encoded === undefined) this.#encoded.set(encoding, (encoded = encoding(this)))
    return encoded
  }
}
