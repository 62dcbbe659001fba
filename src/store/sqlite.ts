import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { nanoid } from 'nanoid'
import { SCHEMA, SqliteState } from './sqlite-state.js'
import { StockroomStore, type FirstResult } from './stockroom-store.js'
import { DatabaseFileError } from './database-file-error.js'
import type { StoreOptions } from './store.js'

export interface SqliteStoreOptions extends StoreOptions {
  /** The database file, made with its folder on first start; `:memory:` for one that dies with the process. */
  readonly file: string
}

/** How long opening waits for a file another process holds before it gives up. */
const LOCKED_TIMEOUT_MS = 1000

/**
 * The durable embedded store: the catalog, the carts, the orders, the idempotency keys and the ledger in one
 * SQLite file, each operation one transaction, so a restart loses nothing that was answered. The file
 * belongs to one process, which holds it locked while it runs, so that a second server on the same file
 * fails at start rather than sell the same stock apart. Its epoch is made with the file, and kept: a restart
 * that lost nothing is no new epoch to clients.
 */
export class SqliteStore extends StockroomStore {
  protected readonly epoch: string
  readonly #db: Database.Database
  readonly #firstResult: Database.Statement<[string, number], { command: string; result: string }>
  readonly #forget: Database.Statement<[number], never>
  readonly #keep: Database.Statement<[string, string, string, number], never>
  readonly #transaction: (run: () => unknown) => unknown

  private constructor(db: Database.Database, options: StoreOptions) {
    super(new SqliteState(db), options)
    this.#db = db
    this.#firstResult = db.prepare('SELECT command, result FROM first_results WHERE key = ? AND forget_at > ?')
    this.#forget = db.prepare('DELETE FROM first_results WHERE forget_at <= ?')
    this.#keep = db.prepare('INSERT INTO first_results (key, command, result, forget_at) VALUES (?, ?, ?, ?)')
    this.#transaction = db.transaction((run: () => unknown) => run())
    const epochOf = db.prepare<[], string>('SELECT epoch FROM catalog').pluck()
    this.epoch = this.transact(() => {
      const kept = epochOf.get()
      if (kept !== undefined) return kept
      db.prepare('INSERT INTO catalog (id, epoch, version) VALUES (1, ?, 0)').run(nanoid())
      this.seed(options)
      return epochOf.get()!
    })
  }

  /**
   * Opens the database file, or makes it, seeded with the catalog of `options`; a file already there keeps
   * its own. Throws `DatabaseFileError` when the file cannot be opened, or another process holds it: the
   * server stops at start, rather than wait.
   */
  static open(options: SqliteStoreOptions): SqliteStore {
    let db: Database.Database | undefined
    try {
      if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true })
      db = new Database(options.file, { timeout: LOCKED_TIMEOUT_MS })
      // Held from the first read to the close: no other process can open the file meanwhile.
      db.pragma('locking_mode = EXCLUSIVE')
      db.pragma('journal_mode = WAL')
      // With WAL, a commit reaches the operating system before it is answered: it survives the process
      // being killed; only a power cut can lose the last ones (see the README's "Stores").
      db.pragma('synchronous = NORMAL')
      db.exec(SCHEMA)
      return new SqliteStore(db, options)
    } catch (error) {
      db?.close()
      const why = error instanceof Error ? error.message : String(error)
      const locked = /locked|busy/i.test(why) ? ' (is another server running on it?)' : ''
      throw new DatabaseFileError(`cannot open the database ${options.file}: ${why}${locked}`, { cause: error })
    }
  }

  protected transact<T>(run: () => T): T {
    return this.#transaction(run) as T
  }

  protected firstResult(key: string, now: number): FirstResult | undefined {
    this.#forget.run(now)
    const kept = this.#firstResult.get(key, now)
    return kept && { command: kept.command, result: JSON.parse(kept.result) as object }
  }

  protected keepResult(key: string, { command, result }: FirstResult, forgetAt: number): void {
    this.#keep.run(key, command, JSON.stringify(result), forgetAt)
  }

  override async close(): Promise<void> {
    await super.close()
    this.#db.close()
  }
}
