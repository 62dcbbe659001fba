import type Database from 'better-sqlite3'
import { nanoid } from 'nanoid'
import { silentLogger, type Logger } from '../logger.js'
import { DatabaseFileError } from './database-file-error.js'
import { causeOf, isDiskFailure, openDatabaseFile, probeWrite } from './sqlite-file.js'
import { SqliteState } from './sqlite-state.js'
import { SqliteWebhookLog } from './sqlite-webhook-log.js'
import { LocalFeed } from './change-feed.js'
import { processCounters } from './memory.js'
import { StockroomRepository, type FirstResult } from './stockroom-repository.js'
import { StoreUnavailableError } from './store-unavailable-error.js'
import type { StoreOptions, StoreParts } from './store.js'

export interface SqliteStoreOptions extends StoreOptions {
  /** The database file, made with its folder on first start; `:memory:` for one that dies with the process. */
  readonly file: string
}

/**
 * The repository of the durable embedded store: the catalog, the carts, the orders, the idempotency keys and the ledger in one
 * SQLite file, each operation one transaction, so a restart loses nothing that was answered. The file
 * belongs to one process, which holds it locked while it runs, so that a second server on the same file
 * fails at start rather than sell the same stock apart. Its epoch is made with the file, and kept: a restart
 * that lost nothing is no new epoch to clients. A disk that stops taking writes (full, read-only, failing)
 * fails each operation with `StoreUnavailableError`, having changed nothing, and the store is not ready until
 * a write works again.
 */
export class SqliteRepository extends StockroomRepository {
  readonly webhooks: SqliteWebhookLog
  readonly #db: Database.Database
  readonly #firstResult: Database.Statement<[string, number], { command: string; result: string }>
  readonly #forget: Database.Statement<[number], never>
  readonly #keep: Database.Statement<[string, string, string, number], never>
  readonly #begin: Database.Statement<[], never>
  readonly #commit: Database.Statement<[], never>
  readonly #rollback: Database.Statement<[], never>
  readonly #file: string
  #epoch = ''
  readonly #logger: Logger
  /** Why the last write failed, while no write has worked since. */
  #cannotWrite: string | undefined

  private constructor(db: Database.Database, options: SqliteStoreOptions, feed: LocalFeed) {
    super(new SqliteState(db), options, feed)
    this.#db = db
    this.webhooks = new SqliteWebhookLog(
      db,
      (run) => this.transact(run),
      () => this.state.lastSeq(),
    )
    this.#file = options.file
    this.#logger = options.logger ?? silentLogger
    this.#firstResult = db.prepare('SELECT command, result FROM first_results WHERE key = ? AND forget_at > ?')
    this.#forget = db.prepare('DELETE FROM first_results WHERE forget_at <= ?')
    this.#keep = db.prepare('INSERT INTO first_results (key, command, result, forget_at) VALUES (?, ?, ?, ?)')
    this.#begin = db.prepare('BEGIN')
    this.#commit = db.prepare('COMMIT')
    this.#rollback = db.prepare('ROLLBACK')
  }

  protected get epoch(): string {
    return this.#epoch
  }

  /** Reads the epoch the file keeps, or, for a new file, makes one and seeds the catalog of `options`. */
  async #start(options: SqliteStoreOptions): Promise<void> {
    const epochOf = this.#db.prepare<[], string>('SELECT epoch FROM catalog').pluck()
    this.#epoch = await this.transact(async () => {
      const kept = epochOf.get()
      if (kept !== undefined) return kept
      this.#db.prepare('INSERT INTO catalog (id, epoch, version) VALUES (1, ?, 0)').run(nanoid())
      await this.seed(options)
      return epochOf.get()!
    })
  }

  /**
   * Opens the database file (see `openDatabaseFile`), or makes it, seeded with the catalog of `options`; a
   * file already there keeps its own. Throws `DatabaseFileError` when the file cannot be used: the server
   * stops at start, rather than wait.
   */
  static async open(options: SqliteStoreOptions, feed: LocalFeed): Promise<SqliteRepository> {
    const db = openDatabaseFile(options.file)
    try {
      const repository = new SqliteRepository(db, options, feed)
      await repository.#start(options)
      return repository
    } catch (error) {
      db.close()
      // Seeding a new file is a start that cannot write, as much as the file's claim.
      if (!(error instanceof StoreUnavailableError)) throw error
      throw new DatabaseFileError(`cannot use the database ${options.file}: ${causeOf(error.cause)}`, { cause: error })
    }
  }

  /**
   * One SQLite transaction, begun and ended by hand around `run`, which may await: the repository runs one at a
   * time, and nothing else uses the connection meanwhile.
   */
  protected async atomically<T>(run: () => Promise<T>): Promise<T> {
    try {
      this.#begin.run()
      try {
        const result = await run()
        this.#commit.run()
        return result
      } catch (error) {
        // SQLite ends some transactions itself when a write fails (a full disk, say).
        if (this.#db.inTransaction) this.#rollback.run()
        throw error
      }
    } catch (error) {
      if (!isDiskFailure(error)) throw error
      const cause = causeOf(error)
      if (this.#cannotWrite === undefined) {
        this.#logger.warn(`cannot write the database ${this.#file} (${cause}): answering 503 until it can`)
      }
      this.#cannotWrite = cause
      throw new StoreUnavailableError(`cannot write the database ${this.#file}: ${cause}`, { cause: error })
    }
  }

  /** Ready unless a write failed: then a write must work again first. */
  override async check(): Promise<void> {
    if (this.#cannotWrite === undefined) return
    await this.transact(async () => probeWrite(this.#db))
    this.#cannotWrite = undefined
    this.#logger.warn(`the database ${this.#file} takes writes again`)
  }

  protected firstResult(key: string, now: number): FirstResult | undefined {
    this.#forget.run(now)
    const kept = this.#firstResult.get(key, now)
    return kept && { command: kept.command, result: JSON.parse(kept.result) as object }
  }

  protected keepResult(key: string, { command, result }: FirstResult, forgetAt: number): void {
    this.#keep.run(key, command, JSON.stringify(result), forgetAt)
  }

  close(): void {
    this.#db.close()
  }
}

/**
 * A store in a SQLite file (see `SqliteRepository.open`): its repository, the feed it tells, and counters of
 * this process's own, the only one on the file.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<StoreParts> {
  const feed = new LocalFeed()
  const repository = await SqliteRepository.open(options, feed)
  return {
    repository,
    feed,
    counters: processCounters(),
    webhooks: repository.webhooks,
    async close() {
      feed.close()
      repository.close()
    },
  }
}
