import { nanoid } from 'nanoid'
import { MemoryState } from './memory-state.js'
import { StockroomStore, type FirstResult } from './stockroom-store.js'
import type { StoreOptions } from './store.js'

/**
 * The in-memory store, for throwaway runs and tests: one process holds the whole stock, so every operation
 * is atomic by construction, and nothing outlives the process. Its epoch is the store's life: a restarted
 * process starts a new one.
 */
export class MemoryStore extends StockroomStore {
  protected readonly epoch = nanoid()
  /** Results by idempotency key, oldest first: every key is kept equally long. */
  readonly #firstResults = new Map<string, FirstResult & { readonly forgetAt: number }>()

  constructor(options: StoreOptions = {}) {
    super(new MemoryState(), options)
    this.seed(options)
  }

  protected transact<T>(run: () => T): T {
    return run()
  }

  protected firstResult(key: string, now: number): FirstResult | undefined {
    for (const [stored, { forgetAt }] of this.#firstResults) {
      if (forgetAt > now) break
      this.#firstResults.delete(stored)
    }
    return this.#firstResults.get(key)
  }

  protected keepResult(key: string, first: FirstResult, forgetAt: number): void {
    this.#firstResults.set(key, { ...first, forgetAt })
  }
}
