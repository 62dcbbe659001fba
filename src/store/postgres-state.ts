import pg, { type ClientBase, type QueryResultRow } from 'pg'
import type { CatalogChange } from '../domain/catalog.js'
import type { Movement } from '../domain/movement.js'
import type { Order } from '../domain/order.js'
import type { ProductStock } from '../domain/product.js'
import type { LineOf, StoredLine } from '../domain/stock-state.js'
import type { LedgerState } from './stockroom-repository.js'
import type { OrderQuery } from './store.js'

/** bigint columns as numbers: every count, instant and version stockpoll keeps is well inside 2^53. */
export const BIGINT_AS_NUMBER = new pg.TypeOverrides()
BIGINT_AS_NUMBER.setTypeParser(pg.types.builtins.INT8, Number)

interface ProductRow {
  readonly sku: string
  readonly name: string
  readonly onHand: number
  readonly held: number
  readonly version: number
  readonly nextLapse: number | null
  readonly archived: boolean
  readonly holdsTakenAt: number | null
}

interface LineRow {
  readonly sku: string
  readonly session: string
  readonly quantity: number
  readonly until: number | null
  readonly lapsed: boolean
  readonly address: string | null
}

const PRODUCT_COLUMNS = `products.sku, products.name, products.on_hand AS "onHand", products.held, products.version,
  products.next_lapse AS "nextLapse", products.archived, products.holds_taken_at AS "holdsTakenAt"`
const LINE_COLUMNS = 'lines.sku, session, quantity, until, lapsed, address'
const MOVEMENT_COLUMNS = `seq, time, sku, kind, quantity, actor, order_id AS "orderId",
  idempotency_key AS "idempotencyKey", reason, on_hand AS "onHand", held`

/** The name of each statement the state sends, one per text. */
const statementNames = new Map<string, string>()

/**
 * A statement's name, under which each connection parses and plans it once, and runs it from then on: a
 * statement of its own each time was planned anew in every transaction.
 */
function statementName(sql: string): string {
  let name = statementNames.get(sql)
  if (name === undefined) {
    name = `stockpoll_${statementNames.size}`
    statementNames.set(sql, name)
  }
  return name
}

const productOf = ({ nextLapse, archived, holdsTakenAt, ...product }: ProductRow): ProductStock => ({
  ...product,
  ...(nextLapse !== null && { nextLapse }),
  ...(archived && { archived: true }),
  ...(holdsTakenAt !== null && { holdsTakenAt }),
})

const lineOf = ({ sku, session, quantity, until, lapsed, address }: LineRow): LineOf => ({
  sku,
  session,
  quantity,
  until,
  lapsed,
  ...(address !== null && { address }),
})

/**
 * The stock in PostgreSQL: the `StockState` of the PostgreSQL store. It reads and writes through the client of
 * the transaction under way, which the repository hands it for each (`use`): one at a time, as the repository
 * runs them.
 */
export class PostgresState implements LedgerState {
  #client: ClientBase | undefined
  #changed = false
  /** The catalog's version as this transaction last read or moved it: its lock keeps every other from moving it. */
  #version: number | undefined

  /** The client of the transaction under way; `undefined` once it has ended. */
  use(client: ClientBase | undefined): void {
    this.#client = client
    this.#changed = false
    this.#version = undefined
  }

  get client(): ClientBase | undefined {
    return this.#client
  }

  /** Whether the transaction under way changed the stock: it moved the catalog's version. */
  get changed(): boolean {
    return this.#changed
  }

  /**
   * The epoch, the version, and the products changed after `heard` (every product, for none or another epoch),
   * read in one statement, so that they agree.
   */
  async changesSince(heard: { readonly epoch: string; readonly version: number } | undefined): Promise<CatalogChange> {
    const rows = await this.#rows<Partial<ProductRow> & { epoch: string; catalogVersion: number }>(
      `SELECT catalog.epoch, catalog.version AS "catalogVersion", ${PRODUCT_COLUMNS} FROM catalog
       LEFT JOIN products ON products.version > CASE WHEN catalog.epoch = $1 THEN $2::bigint ELSE -1 END
       ORDER BY products.place`,
      [heard?.epoch ?? '', heard?.version ?? -1],
    )
    const [first] = rows
    if (!first) throw new Error('the catalog has no row: the PostgreSQL store was not opened')
    const products = rows.flatMap((row) =>
      row.sku === undefined || row.sku === null ? [] : [productOf(row as ProductRow)],
    )
    return { epoch: first.epoch, version: first.catalogVersion, products }
  }

  async #rows<R extends QueryResultRow>(sql: string, values: readonly unknown[] = []): Promise<R[]> {
    if (!this.#client) throw new Error('the PostgreSQL state was used outside a transaction')
    return (await this.#client.query<R>({ name: statementName(sql), text: sql, values: [...values] })).rows
  }

  async #value<T>(sql: string, values: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.#rows<{ value: T }>(sql, values))[0]?.value
  }

  async version(): Promise<number> {
    this.#version ??= (await this.#value<number>('SELECT version AS value FROM catalog'))!
    return this.#version
  }

  async bump(): Promise<number> {
    this.#changed = true
    this.#version = (await this.#value<number>('UPDATE catalog SET version = version + 1 RETURNING version AS value'))!
    return this.#version
  }

  async product(sku: string): Promise<ProductStock | undefined> {
    const [row] = await this.#rows<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE sku = $1`, [sku])
    return row && productOf(row)
  }

  async products(): Promise<ProductStock[]> {
    return (await this.#rows<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY place`)).map(productOf)
  }

  async putProduct(product: ProductStock): Promise<void> {
    const { sku, name, onHand, held, version, nextLapse, archived, holdsTakenAt } = product
    await this.#rows(
      `INSERT INTO products (sku, name, on_hand, held, version, next_lapse, archived, holds_taken_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (sku) DO UPDATE SET name = $2, on_hand = $3, held = $4, version = $5, next_lapse = $6,
       archived = $7, holds_taken_at = $8`,
      [sku, name, onHand, held, version, nextLapse ?? null, archived ?? false, holdsTakenAt ?? null],
    )
  }

  async line(session: string, sku: string): Promise<StoredLine | undefined> {
    const sql = `SELECT ${LINE_COLUMNS} FROM lines WHERE sku = $1 AND session = $2`
    const [row] = await this.#rows<LineRow>(sql, [sku, session])
    return row && lineOf(row)
  }

  async linesOf(session: string): Promise<LineOf[]> {
    const sql = `SELECT ${LINE_COLUMNS} FROM lines JOIN products USING (sku) WHERE session = $1 ORDER BY place`
    return (await this.#rows<LineRow>(sql, [session])).map(lineOf)
  }

  async linesFor(sku: string): Promise<LineOf[]> {
    const sql = `SELECT ${LINE_COLUMNS} FROM lines WHERE sku = $1 ORDER BY session`
    return (await this.#rows<LineRow>(sql, [sku])).map(lineOf)
  }

  async putLine(session: string, sku: string, line: StoredLine | undefined): Promise<void> {
    if (!line) {
      await this.#rows('DELETE FROM lines WHERE sku = $1 AND session = $2', [sku, session])
      return
    }
    const { quantity, until, lapsed, address } = line
    await this.#rows(
      `INSERT INTO lines (sku, session, quantity, until, lapsed, address) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sku, session) DO UPDATE SET quantity = $3, until = $4, lapsed = $5, address = $6`,
      [sku, session, quantity, until, lapsed, address ?? null],
    )
  }

  async nextLapse(sku: string): Promise<number | undefined> {
    const sql = 'SELECT MIN(until) AS value FROM lines WHERE sku = $1 AND NOT lapsed AND until IS NOT NULL'
    return (await this.#value<number | null>(sql, [sku])) ?? undefined
  }

  async heldByAddress(sku: string, address: string): Promise<number> {
    const sql =
      'SELECT COALESCE(SUM(quantity), 0)::bigint AS value FROM lines WHERE sku = $1 AND address = $2 AND NOT lapsed'
    return (await this.#value<number>(sql, [sku, address]))!
  }

  async dueLines(now: number, forgetBefore: number): Promise<LineOf[]> {
    const sql = `SELECT ${LINE_COLUMNS} FROM lines WHERE until <= GREATEST($1::bigint, $2::bigint)
      AND until <= CASE WHEN lapsed THEN $2::bigint ELSE $1::bigint END ORDER BY until`
    return (await this.#rows<LineRow>(sql, [now, forgetBefore])).map(lineOf)
  }

  async record(movement: Omit<Movement, 'seq'>): Promise<Movement> {
    const { time, sku, kind, quantity, actor, orderId, idempotencyKey, reason, onHand, held } = movement
    // The catalog's row is locked by the transaction already: the seqs follow one another without a gap. One
    // statement takes the seq and writes the movement, a round trip fewer in every change.
    const seq = (await this.#value<number>(
      `WITH next AS (UPDATE catalog SET last_seq = last_seq + 1 RETURNING last_seq)
       INSERT INTO movements (seq, time, sku, kind, quantity, actor, order_id, idempotency_key, reason, on_hand, held)
       SELECT last_seq, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM next RETURNING seq AS value`,
      [time, sku, kind, quantity, actor, orderId, idempotencyKey, reason, onHand, held],
    ))!
    return { seq, ...movement }
  }

  async movements(after: number, limit: number, sku?: string): Promise<Movement[]> {
    return sku === undefined
      ? this.#rows<Movement>(`SELECT ${MOVEMENT_COLUMNS} FROM movements WHERE seq > $1 ORDER BY seq LIMIT $2`, [
          after,
          limit,
        ])
      : this.#rows<Movement>(
          `SELECT ${MOVEMENT_COLUMNS} FROM movements WHERE sku = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
          [sku, after, limit],
        )
  }

  async lastSeq(): Promise<number> {
    return (await this.#value<number>('SELECT last_seq AS value FROM catalog'))!
  }

  async order(id: string): Promise<Order | undefined> {
    return this.#value<Order>('SELECT body AS value FROM orders WHERE id = $1', [id])
  }

  async putOrder(order: Order): Promise<void> {
    await this.#rows(
      `INSERT INTO orders (id, created_at, status, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET status = $3, body = $4`,
      [order.id, order.createdAt, order.status, order],
    )
  }

  async orders({ status, from, to, after, limit }: OrderQuery): Promise<Order[]> {
    const cursor = after === undefined ? undefined : await this.order(after)
    if (after !== undefined && !cursor) return []
    const bodies = await this.#rows<{ body: Order }>(
      `SELECT body FROM orders WHERE ($1::text IS NULL OR status = $1) AND created_at >= $2 AND created_at < $3
       AND (created_at, id) > ($4, $5) ORDER BY created_at, id LIMIT $6`,
      [
        status ?? null,
        // The cursor's instant bounds the range too, so that the index is searched from it, not scanned.
        Math.max(from ?? 0, cursor?.createdAt ?? 0),
        to ?? Number.MAX_SAFE_INTEGER,
        cursor?.createdAt ?? -1,
        cursor?.id ?? '',
        limit,
      ],
    )
    return bodies.map(({ body }) => body)
  }
}
