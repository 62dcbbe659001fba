// The cart actions sent beside a fan-out, and the probe of how many polls the server holds, from a process of
// their own. In the load generator an answer to either would wait behind the thousands of waiter answers it
// reads at the same moment, and its latency would be the generator's, not the server's. A process, not a
// worker thread: workers do not get tsx's loader on Node 20.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Target } from './raw-http.js'

export interface CartWritersOptions {
  readonly target: Target
  readonly connections: number
  /** A cart action goes out this often, round the kept-alive connections. */
  readonly everyMs: number
  /**
   * `GET /healthz` goes out this often, on a connection of its own, to see how many polls are held; never
   * when nothing waits for that, since each probe is work for the server in the middle of what is measured.
   */
  readonly heldProbeEveryMs: number | undefined
}

/** What the writers did, with times on the clock of `Answer.at`. */
export interface CartWritersResult {
  /** When the change that starts the fan-out was sent. */
  readonly changedAt: number
  /** Each answered action, the change included, in ms. */
  readonly latenciesMs: readonly number[]
  readonly errors: number
  /** When the server was seen holding every poll again, when it was asked to wait for that. */
  readonly heldAgainAt: number | null
}

/** Once every poll has held its answer, how many the server must hold again before the writers stop. */
export interface UntilHeld {
  readonly count: number
  /** Only a probe sent after this (the last answer's arrival) counts. */
  readonly after: number
}

export type ToWriters =
  { readonly type: 'start' } | { readonly type: 'stop'; readonly untilHeld?: UntilHeld | undefined }
export type FromWriters = { readonly type: 'ready' } | ({ readonly type: 'done' } & CartWritersResult)

export class CartWriters {
  readonly #child: ChildProcess

  private constructor(child: ChildProcess) {
    this.#child = child
  }

  /** Starts the process, which opens its connections. */
  static async open(options: CartWritersOptions): Promise<CartWriters> {
    const path = fileURLToPath(new URL('./cart-writers-process.ts', import.meta.url))
    const child = fork(path, [JSON.stringify(options)])
    const writers = new CartWriters(child)
    const message = await writers.#next()
    if (message.type !== 'ready') throw new Error(`cart writers said ${message.type} before ready`)
    return writers
  }

  /**
   * Sends the change, then a cart action every `everyMs` until `stop` (and, if it says so, until the server
   * holds its polls again); resolves, once every action sent is answered, with what they measured.
   */
  run(): { stop(untilHeld?: UntilHeld): void; result: Promise<CartWritersResult> } {
    const result = this.#next().then((message) => {
      if (message.type !== 'done') throw new Error(`cart writers said ${message.type} instead of done`)
      return message
    })
    this.#tell({ type: 'start' })
    return { stop: (untilHeld) => this.#tell({ type: 'stop', untilHeld }), result }
  }

  async close(): Promise<void> {
    const exited = once(this.#child, 'exit')
    this.#child.kill()
    await exited
  }

  /** The process's next message; a process that exits first, as on an error, fails it. */
  #next(): Promise<FromWriters> {
    return new Promise((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`cart writers exited (${code}) before answering`))
      this.#child.once('exit', exited)
      this.#child.once('message', (message: FromWriters) => {
        this.#child.off('exit', exited)
        resolve(message)
      })
    })
  }

  #tell(message: ToWriters): void {
    this.#child.send(message)
  }
}
