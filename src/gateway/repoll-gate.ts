import type { Socket } from 'node:net'
import type { Hub } from '../push/hub.js'

/**
 * How many held-back connections are read again a turn, once the fan-out has ended: their polls then come in
 * a batch at a time, with the writers' requests read between batches, as during the fan-out itself.
 */
const RELEASE_BATCH = 64

/**
 * Holds back the next request of a connection whose long poll a fan-out just answered, until the fan-out has
 * answered everyone. Its client polls again at once; read now, that poll would be served between the fan-out's
 * batches, each batch waiting for the polls of the one before, so that the last answer would wait for almost
 * every re-poll. Not read, it waits in the kernel's buffer, as it does behind a server that answers everyone
 * in one synchronous loop, while the other connections (the writers') are still read between batches.
 */
export class RepollGate {
  /** Held back, in the order they were answered: they are read again in that order. */
  #held: Socket[] = []
  #releasing = false

  constructor(readonly hub: Hub) {
    hub.onFannedOut(() => {
      if (this.#held.length > 0 && !this.#releasing) this.#release()
    })
  }

  /** Stops reading `socket` until the fan-out under way ends; does nothing when none is. */
  holdBack(socket: Socket | null): void {
    if (!socket || socket.destroyed || !this.hub.fanningOut) return
    socket.pause()
    this.#held.push(socket)
  }

  readonly #release = (): void => {
    // A change that came meanwhile has a fan-out of its own: the rest wait for its end.
    if (this.hub.fanningOut) {
      this.#releasing = false
      return
    }
    this.#releasing = true
    for (const socket of this.#held.splice(0, RELEASE_BATCH)) socket.resume()
    if (this.#held.length > 0) setImmediate(this.#release)
    else this.#releasing = false
  }
}
