import { nanoid } from 'nanoid'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import { LocalFeed } from './change-feed.js'
import { LimiterCounters } from './counters.js'
import { MemoryState } from './memory-state.js'
import { StockroomRepository, type FirstResult } from './stockroom-repository.js'
import type { StoreOptions, StoreParts } from './store.js'
import { MemoryWebhookLog } from './webhook-log.js'

/**
 * The repository of the in-memory store, for throwaway runs and tests: one process holds the whole stock, and
 * runs one operation at a time on it, so every operation is atomic; nothing outlives the process. Its epoch is
 * the store's life: a restarted process starts a new one.
 */
export class MemoryRepository extends StockroomRepository {
  protected readonly epoch = nanoid()
  /** Results by idempotency key, oldest first: every key is kept equally long. */
  readonly #firstResults = new Map<string, FirstResult & { readonly forgetAt: number }>()

  constructor(options: StoreOptions, feed: LocalFeed) {
    super(new MemoryState(), options, feed)
    // The first transaction: every operation asked for after this waits for it.
    void this.transact(() => this.seed(options))
  }

  protected atomically<T>(run: () => Promise<T>): Promise<T> {
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

/** Counters of this process alone, the only one on its stock: for the memory and the SQLite stores. */
export const processCounters = () =>
  new LimiterCounters((name, points, duration) => new RateLimiterMemory({ keyPrefix: name, points, duration }))

/** The parts of a store in this process's memory, over its repository and the feed it tells. */
export const memoryStoreParts = (repository: MemoryRepository, feed: LocalFeed): StoreParts => ({
  repository,
  feed,
  counters: processCounters(),
  webhooks: new MemoryWebhookLog(() => repository.ledgerEnd()),
  async close() {
    feed.close()
  },
})

/** A store in this process's memory: its repository, the feed it tells, and counters of its own. */
export function openMemoryStore(options: StoreOptions = {}): StoreParts {
  const feed = new LocalFeed()
  return memoryStoreParts(new MemoryRepository(options, feed), feed)
}
