import { ApiError } from '../api-error.js'

/** Seconds a client past its limit is asked to wait before it holds another request. */
const RETRY_AFTER_SECONDS = 5

/** Counts the requests and streams each client address holds open, so that none can hold them all. */
export class HeldPerClient {
  readonly #held = new Map<string, number>()

  constructor(readonly max: number) {}

  /** Throws a 429 when `client` holds its limit already. */
  assertRoom(client: string): void {
    if ((this.#held.get(client) ?? 0) >= this.max) {
      throw new ApiError(
        429,
        'too_many_held',
        `this address already holds ${this.max} open requests; close some first`,
        {
          'Retry-After': String(RETRY_AFTER_SECONDS),
        },
      )
    }
  }

  /** Counts one more for `client` (a 429 when it is at its limit); the returned function, called once, counts it off. */
  admit(client: string): () => void {
    this.assertRoom(client)
    this.#held.set(client, (this.#held.get(client) ?? 0) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = this.#held.get(client)! - 1
      if (left === 0) this.#held.delete(client)
      else this.#held.set(client, left)
    }
  }
}
