import { nanoid } from 'nanoid'
import pg from 'pg'
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible'
import { silentLogger } from '../logger.js'
import { StockpollError } from '../stockpoll-error.js'
import { LimiterCounters } from './counters.js'
import { PostgresFeed } from './postgres-feed.js'
import { migrate } from './postgres-schema.js'
import { BIGINT_AS_NUMBER, PostgresState } from './postgres-state.js'
import { PostgresWebhookLog, type Query } from './postgres-webhook-log.js'
import { StockroomRepository, type FirstResult } from './stockroom-repository.js'
import { StoreUnavailableError } from './store-unavailable-error.js'
import { StoreUnusableError } from './store-unusable-error.js'
import type { StoreOptions, StoreParts } from './store.js'

export interface PostgresStoreOptions extends StoreOptions {
  /** `postgres://user@host:port/database` */
  readonly url: string
  /** The schema the tables are in, made if missing: `public` unless said, another for each test. */
  readonly schema?: string
}

/** Any number, the same for every stockpoll: the advisory lock under which a new database is seeded once. */
const SEED_LOCK = 0x5365_6564

/** The pool's settings: the schema as the search path, and bigint as numbers. */
const poolConfig = ({ url, schema = 'public' }: PostgresStoreOptions): pg.PoolConfig => ({
  connectionString: url,
  options: `-c search_path=${schema}`,
  types: BIGINT_AS_NUMBER,
  connectionTimeoutMillis: 2000,
  // A database that stops answering fails each query, answered 503, rather than holding its request forever.
  query_timeout: 5000,
})

/**
 * The repository of the PostgreSQL store: the catalog, the carts, the orders, the idempotency keys and the
 * ledger in tables, each operation one transaction, shared by every process and machine on the database.
 * Every transaction first locks the catalog's one row, so that they run one at a time across all of them, as
 * Redis runs its scripts: what one reads, no other changes before it commits. One that changed the stock
 * notifies the other processes in the same transaction (`PostgresFeed`), which PostgreSQL delivers once it
 * commits. Its epoch is made with the tables, and kept.
 */
export class PostgresRepository extends StockroomRepository {
  readonly #pool: pg.Pool
  readonly #state: PostgresState
  readonly #channel: string
  #epoch = ''

  private constructor(pool: pg.Pool, state: PostgresState, options: PostgresStoreOptions, feed: PostgresFeed) {
    super(state, options, feed)
    this.#pool = pool
    this.#state = state
    this.#channel = feed.channel
  }

  /**
   * Connects, brings the tables up to date (`migrate`, one process at a time), and, on a database with no
   * stock yet, seeds the catalog of `options` in one transaction: of processes starting at once, one seeds and
   * the others find it seeded.
   */
  static async open(pool: pg.Pool, options: PostgresStoreOptions, feed: PostgresFeed): Promise<PostgresRepository> {
    const repository = new PostgresRepository(pool, new PostgresState(), options, feed)
    await repository.#start(options)
    return repository
  }

  protected get epoch(): string {
    return this.#epoch
  }

  async #start(options: PostgresStoreOptions): Promise<void> {
    const client = await this.#connect()
    try {
      await client.query('BEGIN')
      await migrate(client, options.schema ?? 'public')
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw unavailable(error)
    } finally {
      client.release()
    }
    this.#epoch = await this.transact(async () => {
      // The catalog's row is not there to lock until one process has seeded: the others wait here for it.
      await this.#client().query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK])
      const { rows } = await this.#client().query<{ epoch: string }>('SELECT epoch FROM catalog')
      if (rows[0]) return rows[0].epoch
      const epoch = nanoid()
      await this.#client().query('INSERT INTO catalog (id, epoch, version, last_seq) VALUES (1, $1, 0, 0)', [epoch])
      await this.seed(options)
      return epoch
    })
  }

  #client(): pg.ClientBase {
    const client = this.#state.client
    if (!client) throw new Error('the PostgreSQL store was used outside a transaction')
    return client
  }

  protected async atomically<T>(run: () => Promise<T>): Promise<T> {
    const client = await this.#connect()
    let lost = false
    try {
      // Statements without parameters go together in one round trip: the lock with BEGIN, the notification
      // with COMMIT. Each round trip is time the catalog's lock is held, which bounds the store's rate.
      await client.query('BEGIN; SELECT 1 FROM catalog WHERE id = 1 FOR UPDATE')
      this.#state.use(client)
      const result = await run()
      const notify = this.#state.changed ? `SELECT pg_notify(${client.escapeLiteral(this.#channel)}, ''); ` : ''
      await client.query(`${notify}COMMIT`)
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      const failed = unavailable(error)
      // A connection the database failed is not given to the next transaction: the pool makes a new one.
      lost = failed instanceof StoreUnavailableError
      throw failed
    } finally {
      this.#state.use(undefined)
      client.release(lost)
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect()
    } catch (error) {
      throw unavailable(error)
    }
  }

  override async check(): Promise<void> {
    try {
      await this.#pool.query('SELECT 1')
    } catch (error) {
      throw unavailable(error)
    }
  }

  protected async firstResult(key: string, now: number): Promise<FirstResult | undefined> {
    // Sweeps the keys forgotten with the same statement that looks the key up: one round trip.
    const { rows } = await this.#client().query<FirstResult>(
      `WITH forgotten AS (DELETE FROM first_results WHERE forget_at <= $2)
       SELECT command, result FROM first_results WHERE key = $1 AND forget_at > $2`,
      [key, now],
    )
    return rows[0]
  }

  protected async keepResult(key: string, { command, result }: FirstResult, forgetAt: number): Promise<void> {
    await this.#client().query('INSERT INTO first_results (key, command, result, forget_at) VALUES ($1, $2, $3, $4)', [
      key,
      command,
      JSON.stringify(result),
      forgetAt,
    ])
  }
}

/** An error of the database's as the store reports it: unavailable, unless it is stockpoll's own. */
function unavailable(error: unknown): unknown {
  if (error instanceof StoreUnusableError || error instanceof StoreUnavailableError) return error
  if (!(error instanceof Error) || !isDatabaseError(error)) return error
  return new StoreUnavailableError(`cannot use PostgreSQL: ${error.message}`, { cause: error })
}

/** An error of the server's, or of the connection to it (refused, lost, timed out), not of stockpoll's code. */
const isDatabaseError = (error: Error): boolean =>
  !(error instanceof StockpollError) &&
  (error instanceof pg.DatabaseError || 'errno' in error || /connect|terminat|timeout/i.test(error.message))

/** One statement on the pool, a database that fails it a `StoreUnavailableError`. */
const queryOf =
  (pool: pg.Pool): Query =>
  async <R extends pg.QueryResultRow>(sql: string, values: readonly unknown[] = []) => {
    try {
      return (await pool.query<R>(sql, [...values])).rows
    } catch (error) {
      throw unavailable(error)
    }
  }

/**
 * Opens a store in PostgreSQL, shared by every process on the same database and schema: the repository, the
 * feed on a connection of its own that listens for the others' changes, rate counters in a table, and the
 * webhook log. Throws `StoreUnavailableError` when the database cannot be reached, and `StoreUnusableError`
 * for one whose tables a newer stockpoll made.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<StoreParts> {
  const logger = options.logger ?? silentLogger
  const pool = new pg.Pool(poolConfig(options))
  // A connection lost, idle in the pool or between the queries of a transaction: the next query reports it.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const schema = options.schema ?? 'public'
  const feed = new PostgresFeed({ config: poolConfig(options), channel: `stockpoll:${schema}`, logger })
  try {
    const repository = await PostgresRepository.open(pool, options, feed)
    await feed.start()
    // Counted in the database, every process together; while it is out of reach this process counts alone,
    // in memory, so that limits still hold, if less tightly.
    const counters = new LimiterCounters(
      (name, points, duration) =>
        new RateLimiterPostgres({
          storeClient: pool,
          schemaName: schema,
          tableName: 'rate_counts',
          tableCreated: true,
          keyPrefix: name,
          points,
          duration,
          insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration }),
        }),
    )
    return {
      repository,
      feed,
      counters,
      webhooks: new PostgresWebhookLog(queryOf(pool), () => repository.ledgerEnd()),
      async close() {
        await feed.close()
        await pool.end()
      },
    }
  } catch (error) {
    await feed.close()
    await pool.end()
    throw unavailable(error)
  }
}
