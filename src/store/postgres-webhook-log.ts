import type { QueryResultRow } from 'pg'
import { progressAt, type FailedWebhook, type WebhookProgress } from '../domain/webhook-event.js'
import type { WebhookLog } from './webhook-log.js'

/** Runs one statement, a database that fails it a `StoreUnavailableError`. */
export type Query = <R extends QueryResultRow>(sql: string, values?: readonly unknown[]) => Promise<R[]>

/** The database's clock, in ms since the Unix epoch: the same for every process that takes the lease. */
const NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint'

/**
 * The webhook log of the PostgreSQL store, in its tables: `webhook_lease` (which process sends, until when, by
 * the database's clock), `webhook_progress` and `webhook_failures`. Each write is one statement, so it lands
 * whole.
 */
export class PostgresWebhookLog implements WebhookLog {
  /** `lastSeq` gives the seq of the ledger's last movement. */
  constructor(
    private readonly query: Query,
    private readonly lastSeq: () => Promise<number>,
  ) {}

  async lease(owner: string, ms: number): Promise<boolean> {
    const taken = await this.query(
      `INSERT INTO webhook_lease (id, owner, until) VALUES (1, $1, ${NOW} + $2)
       ON CONFLICT (id) DO UPDATE SET owner = $1, until = ${NOW} + $2
       WHERE webhook_lease.owner = $1 OR webhook_lease.until <= ${NOW} RETURNING owner`,
      [owner, ms],
    )
    return taken.length > 0
  }

  async progress(): Promise<WebhookProgress> {
    const kept = await this.#progress()
    if (kept) return kept
    const start = progressAt(await this.lastSeq())
    await this.query('INSERT INTO webhook_progress (id, body) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [start])
    return (await this.#progress())!
  }

  async #progress(): Promise<WebhookProgress | undefined> {
    return (await this.query<{ body: WebhookProgress }>('SELECT body FROM webhook_progress'))[0]?.body
  }

  async save(progress: WebhookProgress, failed?: FailedWebhook): Promise<void> {
    await this.query(
      `WITH kept AS (
         INSERT INTO webhook_progress (id, body) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET body = excluded.body
       )
       INSERT INTO webhook_failures (id, failed_at, body) SELECT $2, $3, $4 WHERE $2::text IS NOT NULL
       ON CONFLICT (id) DO UPDATE SET failed_at = excluded.failed_at, body = excluded.body`,
      [progress, failed?.event.id ?? null, failed?.failedAt ?? null, failed ?? null],
    )
  }

  async failed(limit: number): Promise<FailedWebhook[]> {
    const sql = 'SELECT body FROM webhook_failures ORDER BY failed_at, id LIMIT $1'
    return (await this.query<{ body: FailedWebhook }>(sql, [limit])).map(({ body }) => body)
  }

  async failedOne(id: string): Promise<FailedWebhook | undefined> {
    const sql = 'SELECT body FROM webhook_failures WHERE id = $1'
    return (await this.query<{ body: FailedWebhook }>(sql, [id]))[0]?.body
  }

  async putFailed(id: string, failed: FailedWebhook | undefined): Promise<void> {
    if (!failed) {
      await this.query('DELETE FROM webhook_failures WHERE id = $1', [id])
      return
    }
    await this.query(
      `INSERT INTO webhook_failures (id, failed_at, body) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET failed_at = excluded.failed_at, body = excluded.body`,
      [id, failed.failedAt, failed],
    )
  }
}
