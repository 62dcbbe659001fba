import type { Database, Statement } from 'better-sqlite3'
import type { Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { ProductStock } from '../domain/product.js'
import type { LineOf, StoredLine } from '../domain/stock-state.js'
import type { LedgerState } from './stockroom-repository.js'
import type { OrderQuery } from './store.js'

/**
 * The tables. `catalog` is one row: the epoch, made when the file is, and the version. A line's `until` is
 * null for a hold that never lapses. An order is kept whole, as JSON: it is written once and cancelled at
 * most once, and never searched by what is in it.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS catalog (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS products (
  place INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  on_hand INTEGER NOT NULL,
  held INTEGER NOT NULL,
  version INTEGER NOT NULL,
  next_lapse INTEGER,
  archived INTEGER NOT NULL DEFAULT 0,
  holds_taken_at INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS lines (
  sku TEXT NOT NULL,
  session TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  until INTEGER,
  lapsed INTEGER NOT NULL,
  address TEXT,
  PRIMARY KEY (sku, session)
) STRICT;
CREATE INDEX IF NOT EXISTS lines_of_session ON lines (session);
CREATE INDEX IF NOT EXISTS lines_by_end ON lines (until) WHERE until IS NOT NULL;
CREATE INDEX IF NOT EXISTS lapsing_lines ON lines (sku, until) WHERE lapsed = 0 AND until IS NOT NULL;
CREATE INDEX IF NOT EXISTS held_by_address ON lines (sku, address) WHERE address IS NOT NULL AND lapsed = 0;
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS orders_by_time ON orders (json_extract(body, '$.createdAt'), id);
CREATE TABLE IF NOT EXISTS first_results (
  key TEXT PRIMARY KEY,
  command TEXT NOT NULL,
  result TEXT NOT NULL,
  forget_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS first_results_by_end ON first_results (forget_at);
CREATE TABLE IF NOT EXISTS movements (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  sku TEXT NOT NULL,
  kind TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  actor TEXT NOT NULL,
  order_id TEXT,
  idempotency_key TEXT,
  reason TEXT,
  on_hand INTEGER NOT NULL,
  held INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS movements_of_product ON movements (sku, seq);
`

/** When the first held line of the product `sku` names that lapses will lapse: the SQL of `nextLapse`. */
const firstLapseOf = (sku: string) =>
  `SELECT MIN(until) FROM lines WHERE lines.sku = ${sku} AND lapsed = 0 AND until IS NOT NULL`

/**
 * Brings the tables of a file an older stockpoll made up to these, where `SCHEMA`, which only adds what is
 * missing, cannot: the products' next lapse (schema version 2), worked out from the lines, whether each is
 * archived (version 3), none of them, and when holds were last taken from each (version 4), never.
 */
export function upgradeTables(db: Database): void {
  const columns = db.prepare<[], string>("SELECT name FROM pragma_table_info('products')").pluck().all()
  if (!columns.includes('next_lapse')) {
    db.exec(`ALTER TABLE products ADD COLUMN next_lapse INTEGER;
      UPDATE products SET next_lapse = (${firstLapseOf('products.sku')});`)
  }
  if (!columns.includes('archived')) db.exec('ALTER TABLE products ADD COLUMN archived INTEGER NOT NULL DEFAULT 0')
  if (!columns.includes('holds_taken_at')) db.exec('ALTER TABLE products ADD COLUMN holds_taken_at INTEGER')
}

interface OrdersParameters {
  readonly status: string | null
  readonly from: number
  readonly to: number
  readonly afterAt: number
  readonly afterId: string
  readonly limit: number
}

interface ProductRow {
  readonly sku: string
  readonly name: string
  readonly onHand: number
  readonly held: number
  readonly version: number
  readonly nextLapse: number | null
  readonly archived: 0 | 1
  readonly holdsTakenAt: number | null
}

interface LineRow {
  readonly sku: string
  readonly session: string
  readonly quantity: number
  readonly until: number | null
  readonly lapsed: 0 | 1
  readonly address: string | null
}

const PRODUCT_COLUMNS =
  'sku, name, on_hand AS onHand, held, version, next_lapse AS nextLapse, archived, holds_taken_at AS holdsTakenAt'
const LINE_COLUMNS = 'lines.sku, session, quantity, until, lapsed, address'
const MOVEMENT_COLUMNS = `seq, time, sku, kind, quantity, actor, order_id AS orderId,
  idempotency_key AS idempotencyKey, reason, on_hand AS onHand, held`

const productOf = ({ nextLapse, archived, holdsTakenAt, ...product }: ProductRow): ProductStock => ({
  ...product,
  ...(nextLapse !== null && { nextLapse }),
  ...(archived === 1 && { archived: true }),
  ...(holdsTakenAt !== null && { holdsTakenAt }),
})

const lineOf = ({ sku, session, quantity, until, lapsed, address }: LineRow): LineOf => ({
  sku,
  session,
  quantity,
  until,
  lapsed: lapsed === 1,
  ...(address !== null && { address }),
})

/**
 * The stock in a SQLite database: the `StockState` of the SQLite store. Every read and write is one
 * prepared statement; the store runs each operation's in one transaction.
 */
export class SqliteState implements LedgerState {
  readonly #statements: ReturnType<typeof prepare>

  constructor(db: Database) {
    this.#statements = prepare(db)
  }

  version(): number {
    return this.#statements.version.get()!
  }

  bump(): number {
    return this.#statements.bump.get()!
  }

  product(sku: string): ProductStock | undefined {
    const row = this.#statements.product.get(sku)
    return row && productOf(row)
  }

  products(): ProductStock[] {
    return this.#statements.products.all().map(productOf)
  }

  putProduct(product: ProductStock): void {
    this.#statements.putProduct.run({
      ...product,
      nextLapse: product.nextLapse ?? null,
      archived: product.archived ? 1 : 0,
      holdsTakenAt: product.holdsTakenAt ?? null,
    })
  }

  line(session: string, sku: string): StoredLine | undefined {
    const row = this.#statements.line.get(sku, session)
    return row && lineOf(row)
  }

  linesOf(session: string): LineOf[] {
    return this.#statements.linesOf.all(session).map(lineOf)
  }

  linesFor(sku: string): LineOf[] {
    return this.#statements.linesFor.all(sku).map(lineOf)
  }

  putLine(session: string, sku: string, line: StoredLine | undefined): void {
    if (!line) {
      this.#statements.dropLine.run(sku, session)
      return
    }
    const { quantity, until, lapsed, address } = line
    this.#statements.putLine.run({
      sku,
      session,
      quantity,
      until,
      lapsed: lapsed ? 1 : 0,
      address: address ?? null,
    })
  }

  nextLapse(sku: string): number | undefined {
    return this.#statements.nextLapse.get(sku) ?? undefined
  }

  heldByAddress(sku: string, address: string): number {
    return this.#statements.heldByAddress.get(sku, address)!
  }

  dueLines(now: number, forgetBefore: number): LineOf[] {
    return this.#statements.dueLines.all({ now, forgetBefore }).map(lineOf)
  }

  record(movement: Omit<Movement, 'seq'>): Movement {
    return { seq: this.#statements.record.get(movement)!, ...movement }
  }

  movements(after: number, limit: number, sku?: string): Movement[] {
    return sku === undefined
      ? this.#statements.movements.all(after, limit)
      : this.#statements.movementsOf.all(sku, after, limit)
  }

  lastSeq(): number {
    return this.#statements.lastSeq.get()!
  }

  order(id: string): Order | undefined {
    const body = this.#statements.order.get(id)
    return body === undefined ? undefined : (JSON.parse(body) as Order)
  }

  putOrder(order: Order): void {
    this.#statements.putOrder.run(order.id, JSON.stringify(order))
  }

  orders({ status, from, to, after, limit }: OrderQuery): Order[] {
    const cursor = after === undefined ? undefined : this.order(after)
    if (after !== undefined && !cursor) return []
    return this.#statements.orders
      .all({
        status: status ?? null,
        // The cursor's instant bounds the range too, so that the index is searched from it, not scanned.
        from: Math.max(from ?? 0, cursor?.createdAt ?? 0),
        to: to ?? Number.MAX_SAFE_INTEGER,
        afterAt: cursor?.createdAt ?? -1,
        afterId: cursor?.id ?? '',
        limit,
      })
      .map((body) => JSON.parse(body) as Order)
  }
}

function prepare(db: Database) {
  const one = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql)
  const value = <P extends unknown[], R>(sql: string): Statement<P, R> => db.prepare<P, R>(sql).pluck()
  return {
    version: value<[], number>('SELECT version FROM catalog'),
    bump: value<[], number>('UPDATE catalog SET version = version + 1 RETURNING version'),
    product: one<[string], ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE sku = ?`),
    products: one<[], ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY place`),
    putProduct: one<[ProductRow], never>(
      `INSERT INTO products (sku, name, on_hand, held, version, next_lapse, archived, holds_taken_at)
       VALUES (@sku, @name, @onHand, @held, @version, @nextLapse, @archived, @holdsTakenAt)
       ON CONFLICT (sku) DO UPDATE SET name = @name, on_hand = @onHand, held = @held, version = @version,
       next_lapse = @nextLapse, archived = @archived, holds_taken_at = @holdsTakenAt`,
    ),
    line: one<[string, string], LineRow>(`SELECT ${LINE_COLUMNS} FROM lines WHERE sku = ? AND session = ?`),
    linesOf: one<[string], LineRow>(
      `SELECT ${LINE_COLUMNS} FROM lines JOIN products USING (sku) WHERE session = ? ORDER BY place`,
    ),
    linesFor: one<[string], LineRow>(`SELECT ${LINE_COLUMNS} FROM lines WHERE sku = ? ORDER BY session`),
    putLine: one<[LineRow], never>(
      `INSERT INTO lines (sku, session, quantity, until, lapsed, address)
       VALUES (@sku, @session, @quantity, @until, @lapsed, @address)
       ON CONFLICT (sku, session) DO UPDATE SET quantity = @quantity, until = @until, lapsed = @lapsed, address = @address`,
    ),
    dropLine: one<[string, string], never>('DELETE FROM lines WHERE sku = ? AND session = ?'),
    nextLapse: value<[string], number | null>(firstLapseOf('?')),
    heldByAddress: value<[string, string], number>(
      'SELECT COALESCE(SUM(quantity), 0) FROM lines WHERE sku = ? AND address = ? AND address IS NOT NULL AND lapsed = 0',
    ),
    dueLines: one<[{ now: number; forgetBefore: number }], LineRow>(
      `SELECT ${LINE_COLUMNS} FROM lines WHERE until <= MAX(@now, @forgetBefore)
       AND until <= CASE lapsed WHEN 0 THEN @now ELSE @forgetBefore END ORDER BY until`,
    ),
    record: value<[Omit<Movement, 'seq'>], number>(
      `INSERT INTO movements (time, sku, kind, quantity, actor, order_id, idempotency_key, reason, on_hand, held)
       VALUES (@time, @sku, @kind, @quantity, @actor, @orderId, @idempotencyKey, @reason, @onHand, @held)
       RETURNING seq`,
    ),
    movements: one<[number, number], Movement>(
      `SELECT ${MOVEMENT_COLUMNS} FROM movements WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
    movementsOf: one<[string, number, number], Movement>(
      `SELECT ${MOVEMENT_COLUMNS} FROM movements WHERE sku = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    lastSeq: value<[], number>('SELECT COALESCE(MAX(seq), 0) FROM movements'),
    order: value<[string], string>('SELECT body FROM orders WHERE id = ?'),
    orders: value<[OrdersParameters], string>(
      `SELECT body FROM orders WHERE (@status IS NULL OR json_extract(body, '$.status') = @status)
       AND json_extract(body, '$.createdAt') >= @from AND json_extract(body, '$.createdAt') < @to
       AND (json_extract(body, '$.createdAt'), id) > (@afterAt, @afterId)
       ORDER BY json_extract(body, '$.createdAt'), id LIMIT @limit`,
    ),
    putOrder: one<[string, string], never>(
      'INSERT INTO orders (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body',
    ),
  }
}
