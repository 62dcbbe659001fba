import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite.js'
import { testStoreOf } from '../helpers/stores.js'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { postCart, useServers } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { runSmallDiskTests, useSmallDisks } from '../helpers/small-disk.js'
import { eventually } from '../helpers/eventually.js'
import { useWebhookReceivers, WEBHOOK_SECRET } from '../helpers/webhook-receiver.js'

/** A SQLite store on a file, as the tests use it. */
const openFile = async (options: SqliteStoreOptions) => testStoreOf(await openSqliteStore(options))

const TOKEN = 'sqlite-disk-test-admin-token-0123456789ab'

/** What a server process printed, line by line, once it exited; and its exit code. */
async function exitOf(server: { child: import('node:child_process').ChildProcess; output: () => string }) {
  const [code] = (await once(server.child, 'exit')) as [number]
  const lines = server
    .output()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: string; code?: string; msg: string })
  return { code, lines }
}

describe('the SQLite store on a disk that stops taking writes', { timeout: 20_000 }, () => {
  const { spawnServer } = useServerProcesses()
  const start = useServers()
  const newFile = useDatabaseFiles()
  const newReceiver = useWebhookReceivers()

  describe.skipIf(!runSmallDiskTests)('a real small disk', () => {
    const smallDisk = useSmallDisks()

    it('answers 503 with Retry-After and is not ready while the disk is full, and serves again once it has room', async () => {
      const disk = smallDisk(512)
      const server = await start({ STORE: 'sqlite', DATABASE_FILE: join(disk.path, 'stock.db'), ADMIN_TOKEN: TOKEN })
      expect((await postCart(server.url, 'before', 'add')).status).toBe(200)
      const products = async () => (await fetch(`${server.url}/products`)).json()
      const stock = await products()

      disk.fill()
      const refused = await postCart(server.url, 'while-full', 'add')
      expect(refused.status).toBe(503)
      expect(refused.headers.get('Retry-After')).toBe('1')
      expect(await refused.json()).toMatchObject({ error: 'store_unavailable' })
      const notReady = await fetch(`${server.url}/readyz`)
      expect(notReady.status).toBe(503)
      expect(await notReady.json()).toMatchObject({ message: expect.stringContaining('the disk is full') })
      expect(await products()).toEqual(stock)

      disk.free()
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
      expect((await postCart(server.url, 'while-full', 'add')).status).toBe(200)
      const verified = await fetch(`${server.url}/admin/verify`, { headers: { Authorization: `Bearer ${TOKEN}` } })
      expect(await verified.json()).toEqual({ ok: true })
    })

    it('sends again a webhook event it could not mark as sent while the disk was full', async () => {
      const disk = smallDisk(512)
      const receiver = await newReceiver('fail')
      const env = { STORE: 'sqlite', DATABASE_FILE: join(disk.path, 'stock.db'), TOTAL_INVENTORY: '1' }
      const server = await start({ ...env, ADMIN_TOKEN: TOKEN, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET })
      const asAdmin = { headers: { Authorization: `Bearer ${TOKEN}` } }
      const pending = async () =>
        ((await (await fetch(`${server.url}/admin/webhooks`, asAdmin)).json()) as { pending: { attempts: number } })
          .pending
      expect((await postCart(server.url, 'first', 'add')).status).toBe(200)
      await eventually(async () => (await pending()).attempts === 1)

      // Its second attempt, a second later, is taken; but the disk is full, and that it was sent is not kept.
      disk.fill()
      receiver.answer('take')
      await eventually(() => receiver.taken.length === 1, 5000)
      await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 503)
      expect(await pending()).toMatchObject({ attempts: 1 })

      disk.free()
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
      expect((await postCart(server.url, 'first', 'remove')).status).toBe(200)
      await eventually(() => receiver.taken.length === 3)
      const [first, again, next] = receiver.taken
      expect([first!.type, again!.id, next!.type]).toEqual(['stock.sold_out', first!.id, 'stock.back_in_stock'])
    })

    it('stops at start with exit code 2, naming the file and the cause, on a read-only file system', async () => {
      const disk = smallDisk(512)
      const kept = join(disk.path, 'kept.db')
      await (await openFile({ file: kept })).close()
      disk.readOnly()
      for (const file of [join(disk.path, 'data', 'new.db'), kept]) {
        const { code, lines } = await exitOf(spawnServer({ STORE: 'sqlite', DATABASE_FILE: file }))
        expect(code).toBe(2)
        expect(lines).toEqual([expect.objectContaining({ level: 'error', code: 'database_file_unusable' })])
        expect(lines[0]!.msg).toContain(`cannot use the database ${file}: `)
        expect(lines[0]!.msg).toMatch(/read-only file system|disk failed to read or write it/)
      }
    })
  })

  it('refuses, untouched, a file of another application, one that is no database, and one of a newer stockpoll', async () => {
    const foreign = newFile()
    const other = new Database(foreign)
    other.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)')
    other.close()
    const notADatabase = newFile()
    writeFileSync(notADatabase, 'name,email\nada,ada@example.com\n'.repeat(40))
    const newer = newFile()
    await (await openFile({ file: newer })).close()
    const later = new Database(newer)
    later.pragma('user_version = 99')
    later.close()

    for (const [file, cause] of [
      [foreign, 'it is not a stockpoll database (its tables are users)'],
      [notADatabase, 'it is not a SQLite database'],
      [newer, 'a newer stockpoll made it (tables of version 99'],
    ] as const) {
      const { code, lines } = await exitOf(spawnServer({ STORE: 'sqlite', DATABASE_FILE: file }))
      expect(code).toBe(2)
      expect(lines).toEqual([expect.objectContaining({ level: 'error', code: 'database_file_unusable' })])
      expect(lines[0]!.msg).toContain(`cannot use the database ${file}: ${cause}`)
      // Said once: no cause repeated after it.
      expect(lines[0]!.msg.split(cause)).toHaveLength(2)
    }
    const tables = new Database(foreign, { readonly: true })
    expect(tables.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['users'])
    tables.close()
  })

  it('marks the database of an older stockpoll, made before the mark, and serves it as it was', async () => {
    const file = newFile()
    const first = await openFile({ file })
    await first.apply({ session: 'a', sku: 'default', request: { action: 'add' } })
    const before = await first.catalog()
    await first.close()
    // As an older stockpoll left it: no mark, and none of the tables it came before.
    const unmark = new Database(file)
    unmark.exec('DROP TABLE webhook_progress; DROP TABLE webhook_failures')
    unmark.pragma('application_id = 0')
    unmark.pragma('user_version = 0')
    unmark.close()

    const again = await openFile({ file })
    expect(await again.catalog()).toEqual(before)
    await again.close()
    const marked = new Database(file, { readonly: true })
    expect(marked.pragma('application_id', { simple: true })).toBe(0x5354504c)
    marked.close()
  })
})
