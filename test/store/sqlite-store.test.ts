import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DatabaseFileError } from '../../src/store/database-file-error.js'
import { SCHEMA_VERSION } from '../../src/store/sqlite-file.js'
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite.js'
import { testStoreOf } from '../helpers/stores.js'
import type { StoreOptions } from '../../src/store/store.js'
import { products } from '../helpers/catalogs.js'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { ManualClock } from '../helpers/manual-clock.js'

/** A SQLite store on a file, as the tests use it. */
const openFile = async (options: SqliteStoreOptions) => testStoreOf(await openSqliteStore(options))

const newFile = useDatabaseFiles()

describe('SqliteStore', () => {
  const clock = new ManualClock()
  clock.advance(1_800_000_000_000)
  const options: StoreOptions = {
    catalog: products(2, 5),
    rules: { maxPerSession: 5 },
    holds: { clock, ttlMs: 60_000 },
  }

  it('makes its file and folder on first start, and keeps everything across a restart, in the same epoch', async () => {
    const file = join(dirname(newFile()), 'new-folder', 'stock.db')
    const first = await openFile({ ...options, file })
    expect(existsSync(file)).toBe(true)
    await first.apply({ session: 'a', sku: 'sku-0', request: { action: 'set', quantity: 2 } }, 'key-1')
    await first.apply({ session: 'b', sku: 'sku-1', request: { action: 'set', quantity: 3 } })
    const sold = await first.checkout('b')
    await first.adjust({ sku: 'sku-1', delta: 4, reason: 'delivery' })
    await first.archive('sku-1', true)
    await first.sell({ sku: 'sku-0', quantity: 4, reason: 'till', takeFromHolds: true })
    const before = { catalog: await first.catalog(), cart: await first.cart('a') }
    expect(before.catalog.products[1]).toMatchObject({ archived: true })
    expect(before.catalog.products[0]).toMatchObject({ held: 1, holdsTakenAt: before.catalog.version })
    const ledger = await first.movements({ after: 0, limit: 100 })
    await first.close()

    const again = await openFile({ ...options, catalog: products(5, 99), file })
    expect(await again.catalog()).toEqual(before.catalog)
    expect(await again.cart('a')).toEqual(before.cart)
    if (!sold.ok) throw new Error('not sold')
    expect(await again.order(sold.order.id)).toEqual(sold.order)
    expect(await again.movements({ after: 0, limit: 100 })).toEqual(ledger)
    const replayed = await again.apply({ session: 'a', sku: 'sku-0', request: { action: 'set', quantity: 2 } }, 'key-1')
    expect(replayed).toMatchObject({ replayed: true, version: 1 })
    expect(await again.verify()).toBeUndefined()
    await again.close()
  })

  it("brings a file of the tables before the next lapse up to date, working out each product's from its lines, none archived or taken from", async () => {
    const file = newFile()
    const first = await openFile({ ...options, file })
    await first.apply({ session: 'a', sku: 'sku-0', request: { action: 'set', quantity: 2 } })
    clock.advance(1000)
    await first.apply({ session: 'b', sku: 'sku-0', request: { action: 'set', quantity: 1 } })
    const before = await first.catalog()
    expect(before.products[0]).toMatchObject({ held: 3, nextLapse: clock.now() - 1000 + 60_000 })
    await first.close()
    const older = new Database(file)
    older.exec(`DROP INDEX lapsing_lines; ALTER TABLE products DROP COLUMN next_lapse;
      ALTER TABLE products DROP COLUMN archived; ALTER TABLE products DROP COLUMN holds_taken_at; DROP TABLE webhook_progress; DROP TABLE webhook_failures`)
    older.pragma('user_version = 1')
    older.close()

    const again = await openFile({ ...options, file })
    expect(await again.catalog()).toEqual(before)
    await again.close()
    const upgraded = new Database(file, { readonly: true })
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    upgraded.close()
  })

  it('starts a new epoch only with a new file', async () => {
    const file = newFile()
    const first = await openFile({ ...options, file })
    const { epoch } = await first.catalog()
    await first.close()
    const again = await openFile({ ...options, file })
    expect((await again.catalog()).epoch).toBe(epoch)
    const other = await openFile({ ...options, file: newFile() })
    expect((await other.catalog()).epoch).not.toBe(epoch)
    await Promise.all([again.close(), other.close()])
  })

  it('refuses a file another store holds open, and one it cannot make', async () => {
    const file = newFile()
    const holder = await openFile({ ...options, file })
    await expect(openFile({ ...options, file })).rejects.toThrow(DatabaseFileError)
    await expect(openFile({ ...options, file })).rejects.toThrow(/is another server running on it\?/)
    await holder.close()
    await expect(openFile({ ...options, file: join(file, 'under-a-file.db') })).rejects.toThrow(DatabaseFileError)
  })
})
