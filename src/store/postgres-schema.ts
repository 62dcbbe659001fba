import type { ClientBase } from 'pg'
import { DatabaseTooNewError } from './database-too-new-error.js'

/**
 * The tables, one migration per version: a database at version n has had the first n run, in order, each in
 * the transaction that records it. A migration is never changed once released; a change to the tables is a
 * new one at the end. Text that is sorted (SKUs, sessions, order ids) is compared byte by byte (`COLLATE "C"`),
 * as SQLite and Redis compare it, whatever the database's locale.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE catalog (
    id integer PRIMARY KEY CHECK (id = 1),
    epoch text NOT NULL,
    version bigint NOT NULL,
    last_seq bigint NOT NULL
  );
  CREATE TABLE products (
    place bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku text COLLATE "C" NOT NULL UNIQUE,
    name text NOT NULL,
    on_hand bigint NOT NULL,
    held bigint NOT NULL,
    version bigint NOT NULL,
    next_lapse bigint,
    archived boolean NOT NULL DEFAULT false,
    holds_taken_at bigint
  );
  CREATE TABLE lines (
    sku text COLLATE "C" NOT NULL,
    session text COLLATE "C" NOT NULL,
    quantity bigint NOT NULL,
    until bigint,
    lapsed boolean NOT NULL,
    address text,
    PRIMARY KEY (sku, session)
  );
  CREATE INDEX lines_of_session ON lines (session);
  CREATE INDEX lines_by_end ON lines (until) WHERE until IS NOT NULL;
  CREATE INDEX lapsing_lines ON lines (sku, until) WHERE NOT lapsed AND until IS NOT NULL;
  CREATE INDEX held_by_address ON lines (sku, address) WHERE address IS NOT NULL AND NOT lapsed;
  CREATE TABLE orders (
    id text COLLATE "C" PRIMARY KEY,
    created_at bigint NOT NULL,
    status text NOT NULL,
    body jsonb NOT NULL
  );
  CREATE INDEX orders_by_time ON orders (created_at, id);
  CREATE TABLE first_results (
    key text PRIMARY KEY,
    command text NOT NULL,
    result jsonb NOT NULL,
    forget_at bigint NOT NULL
  );
  CREATE INDEX first_results_by_end ON first_results (forget_at);
  CREATE TABLE movements (
    seq bigint PRIMARY KEY,
    time bigint NOT NULL,
    sku text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    quantity bigint NOT NULL,
    actor text NOT NULL,
    order_id text,
    idempotency_key text,
    reason text,
    on_hand bigint NOT NULL,
    held bigint NOT NULL
  );
  CREATE INDEX movements_of_product ON movements (sku, seq);
  CREATE TABLE webhook_progress (id integer PRIMARY KEY CHECK (id = 1), body jsonb NOT NULL);
  CREATE TABLE webhook_failures (id text COLLATE "C" PRIMARY KEY, failed_at bigint NOT NULL, body jsonb NOT NULL);
  CREATE TABLE webhook_lease (id integer PRIMARY KEY CHECK (id = 1), owner text NOT NULL, until bigint NOT NULL);
  -- rate-limiter-flexible's RateLimiterPostgres keeps its counts in a table as it would make it itself.
  CREATE TABLE rate_counts (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint);`,
]

/** Any number, the same for every stockpoll: the advisory lock that lets one process at a time migrate. */
const MIGRATION_LOCK = 0x5370_6f6c

/**
 * Brings the tables of `schema` (the client's search path) up to `MIGRATIONS`, making the schema if missing,
 * inside the transaction `client` has begun, while holding a lock that makes any other process starting at
 * once wait, then find them done: `CREATE … IF NOT EXISTS` alone races another that makes the same. Throws
 * `DatabaseTooNewError` for a database a newer stockpoll migrated further: this one would misread its tables.
 */
export async function migrate(client: ClientBase, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
  await client.query('CREATE TABLE IF NOT EXISTS stockpoll_schema (version integer NOT NULL)')
  const { rows } = await client.query<{ version: number }>('SELECT version FROM stockpoll_schema')
  const version = rows[0]?.version ?? 0
  if (version > MIGRATIONS.length) {
    throw new DatabaseTooNewError(
      `a newer stockpoll made this database (tables of version ${version}; this one knows ${MIGRATIONS.length} at ` +
        'most): run that stockpoll, or point DATABASE_URL at another database',
    )
  }
  for (const migration of MIGRATIONS.slice(version)) await client.query(migration)
  if (rows.length === 0) await client.query('INSERT INTO stockpoll_schema (version) VALUES ($1)', [MIGRATIONS.length])
  else await client.query('UPDATE stockpoll_schema SET version = $1', [MIGRATIONS.length])
}
