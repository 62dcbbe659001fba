// The client processes of the scale run, each holding its share of the long polls: one process may hold
// only as many connections as its open-file limit lets it.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Target } from './raw-http.js'

export interface HoldersOptions {
  readonly target: Target
  readonly polls: number
  readonly version: number
  readonly epoch: string
}

export type ToHolders = { readonly type: 'measure'; readonly changedAt: number } | { readonly type: 'close' }
export type FromHolders =
  { readonly type: 'sent' } | { readonly type: 'answered'; readonly latenciesMs: readonly number[] }

export class PollHolders {
  private constructor(readonly child: ChildProcess) {}

  /** Starts the process and resolves once it has sent every poll. */
  static async open(options: HoldersOptions): Promise<PollHolders> {
    const path = fileURLToPath(new URL('./poll-holders-process.ts', import.meta.url))
    const holders = new PollHolders(fork(path, [JSON.stringify(options)]))
    await holders.#next('sent')
    return holders
  }

  /** Each poll's wait, from `changedAt` (on the clock of `Answer.at`) to its answer, once all are answered. */
  async answered(changedAt: number): Promise<readonly number[]> {
    const answered = this.#next('answered')
    this.child.send({ type: 'measure', changedAt } satisfies ToHolders)
    const message = await answered
    return message.type === 'answered' ? message.latenciesMs : []
  }

  async close(): Promise<void> {
    this.child.send({ type: 'close' } satisfies ToHolders)
    const exited = once(this.child, 'exit')
    this.child.kill()
    await exited
  }

  #next(type: FromHolders['type']): Promise<FromHolders> {
    return new Promise((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`a poll holder exited (${code}) before ${type}`))
      this.child.once('exit', exited)
      this.child.once('message', (message: FromHolders) => {
        this.child.off('exit', exited)
        resolve(message)
      })
    })
  }
}
