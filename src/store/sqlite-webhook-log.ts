import type { Database } from 'better-sqlite3'
import type { Awaitable } from '../domain/stock-state.js'
import { progressAt, type FailedWebhook, type WebhookProgress } from '../domain/webhook-event.js'
import type { WebhookLog } from './webhook-log.js'

/**
 * The tables of the webhook log: its progress, one row, and the events given up on, each kept whole as JSON
 * (written once, then only replaced or dropped).
 */
export const WEBHOOK_SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_progress (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  body TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS webhook_failures (
  id TEXT PRIMARY KEY,
  failed_at INTEGER NOT NULL,
  body TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS webhook_failures_by_time ON webhook_failures (failed_at, id);
`

/** Runs `run` as one transaction of the store's, a disk that fails it a `StoreUnavailableError`. */
export type Transact = <T>(run: () => Promise<T>) => Promise<T>

/**
 * The webhook log of the SQLite store, in its file: the file belongs to one process, which always sends. Each
 * operation is a transaction of the store's own, so that a disk that stops taking writes fails it as it fails
 * a change, and the store is not ready until it takes them again.
 */
export class SqliteWebhookLog implements WebhookLog {
  readonly #statements: ReturnType<typeof prepare>

  /** `lastSeq` gives the seq of the ledger's last movement, inside `transact`. */
  constructor(
    db: Database,
    private readonly transact: Transact,
    private readonly lastSeq: () => Awaitable<number>,
  ) {
    this.#statements = prepare(db)
  }

  async lease(): Promise<boolean> {
    return true
  }

  async progress(): Promise<WebhookProgress> {
    const statements = this.#statements
    return this.transact(async () => {
      const kept = statements.progress.get()
      if (kept !== undefined) return JSON.parse(kept) as WebhookProgress
      const start = progressAt(await this.lastSeq())
      statements.putProgress.run(JSON.stringify(start))
      return start
    })
  }

  async save(progress: WebhookProgress, failed?: FailedWebhook): Promise<void> {
    await this.transact(async () => {
      this.#statements.putProgress.run(JSON.stringify(progress))
      if (failed) this.#putFailed(failed.event.id, failed)
    })
  }

  async failed(limit: number): Promise<FailedWebhook[]> {
    const bodies = await this.transact(async () => this.#statements.failed.all(limit))
    return bodies.map((body) => JSON.parse(body) as FailedWebhook)
  }

  async failedOne(id: string): Promise<FailedWebhook | undefined> {
    const body = await this.transact(async () => this.#statements.failedOne.get(id))
    return body === undefined ? undefined : (JSON.parse(body) as FailedWebhook)
  }

  async putFailed(id: string, failed: FailedWebhook | undefined): Promise<void> {
    await this.transact(async () => this.#putFailed(id, failed))
  }

  #putFailed(id: string, failed: FailedWebhook | undefined): void {
    if (failed) this.#statements.putFailed.run(id, failed.failedAt, JSON.stringify(failed))
    else this.#statements.dropFailed.run(id)
  }
}

function prepare(db: Database) {
  const value = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql).pluck()
  return {
    progress: value<[], string>('SELECT body FROM webhook_progress'),
    putProgress: db.prepare<[string], never>(
      'INSERT INTO webhook_progress (id, body) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body',
    ),
    failed: value<[number], string>('SELECT body FROM webhook_failures ORDER BY failed_at, id LIMIT ?'),
    failedOne: value<[string], string>('SELECT body FROM webhook_failures WHERE id = ?'),
    putFailed: db.prepare<[string, number, string], never>(
      `INSERT INTO webhook_failures (id, failed_at, body) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET failed_at = excluded.failed_at, body = excluded.body`,
    ),
    dropFailed: db.prepare<[string], never>('DELETE FROM webhook_failures WHERE id = ?'),
  }
}
