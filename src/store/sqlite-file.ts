import { accessSync, constants, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { DatabaseFileError } from './database-file-error.js'
import { SCHEMA, upgradeTables } from './sqlite-state.js'
import { WEBHOOK_SCHEMA } from './sqlite-webhook-log.js'

/** What marks a SQLite file as stockpoll's, in its header (`PRAGMA application_id`): "STPL" in ASCII. */
export const APPLICATION_ID = 0x5354504c
/** The version of the tables this code makes and reads, in the header too (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 4
/** The tables of a stockpoll database from before it was marked: a file of these, and of no others, is adopted. */
const OWN_TABLES = new Set(['catalog', 'products', 'lines', 'orders', 'first_results', 'movements'])

/** How long opening waits for a file another process holds before it gives up. */
const LOCKED_TIMEOUT_MS = 1000

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

/**
 * Whether a SQLite failure is of the disk under the file rather than of stockpoll (it is full, read-only,
 * failing, or held by another process): the operation did nothing, and may work later.
 */
export const isDiskFailure = (error: unknown): boolean =>
  /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED)/.test(codeOf(error))

/** A failure to use the database file, in words an operator acts on. */
export function causeOf(error: unknown): string {
  const code = codeOf(error)
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'the disk is full'
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return 'it is on a read-only file system'
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return 'another process holds it (is another server running on it?)'
  if (code === 'SQLITE_NOTADB') return 'it is not a SQLite database'
  if (code.startsWith('SQLITE_CORRUPT')) return 'it is damaged'
  if (code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'ENOTDIR') {
    return 'it cannot be opened or made there (a folder that cannot be written, or a file in the way)'
  }
  if (code.startsWith('SQLITE_IOERR')) return `the disk failed to read or write it (${code})`
  return error instanceof Error ? error.message : String(error)
}

/**
 * Opens the database file, or makes it and its folder, and makes sure it is stockpoll's and can be written:
 * a new file gets the tables and the mark; a marked one, the tables and columns this code adds; one of an older
 * stockpoll (its tables, unmarked) is marked. Anything else is refused, untouched: a file of another application, one
 * a newer stockpoll made, one that is not a database. All of it is one transaction, which also proves the
 * file can be written: a read-only or full disk stops the server at start. The file stays locked to this
 * process until it is closed. Throws `DatabaseFileError`, naming the file and the cause.
 */
export function openDatabaseFile(file: string): Database.Database {
  let db: Database.Database | undefined
  try {
    if (file !== ':memory:') makeFolder(dirname(file))
    db = new Database(file, { timeout: LOCKED_TIMEOUT_MS })
    // Held from the first read to the close: no other process can open the file meanwhile.
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    // With WAL, a commit reaches the operating system before it is answered: it survives the process being
    // killed; only a power cut can lose the last ones (see docs/operations.md, "Stores and restarts").
    db.pragma('synchronous = NORMAL')
    const claim = db.transaction((opened: Database.Database) => {
      assertOurs(opened, file)
      opened.exec(SCHEMA)
      opened.exec(WEBHOOK_SCHEMA)
      upgradeTables(opened)
      opened.pragma(`application_id = ${APPLICATION_ID}`)
      opened.pragma(`user_version = ${SCHEMA_VERSION}`)
    })
    claim(db)
    return db
  } catch (error) {
    db?.close()
    if (error instanceof DatabaseFileError) throw error
    throw new DatabaseFileError(`cannot use the database ${file}: ${causeOf(error)}`, { cause: error })
  }
}

/**
 * Makes a folder and its parents. Node reports a recursive mkdir that cannot be done as a missing folder
 * (ENOENT); the nearest folder that is there tells why: read-only, or not to be written.
 */
function makeFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true })
  } catch (error) {
    let there = dirname(folder)
    while (!existsSync(there) && there !== dirname(there)) there = dirname(there)
    accessSync(there, constants.W_OK)
    throw error
  }
}

/** Writes to the file's header, as a test that the disk takes writes; throws what SQLite throws. */
export function probeWrite(db: Database.Database): void {
  db.transaction(() => db.pragma(`user_version = ${SCHEMA_VERSION}`))()
}

function assertOurs(db: Database.Database, file: string): void {
  const id = db.pragma('application_id', { simple: true }) as number
  const version = db.pragma('user_version', { simple: true }) as number
  const tables = db
    .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all()
  if (id === APPLICATION_ID) {
    if (version <= SCHEMA_VERSION) return
    throw new DatabaseFileError(
      `cannot use the database ${file}: a newer stockpoll made it (tables of version ${version}; this one knows ` +
        `${SCHEMA_VERSION} at most): run that stockpoll, or point DATABASE_FILE at another file`,
    )
  }
  if (id === 0 && tables.every((table) => OWN_TABLES.has(table))) return
  const whose = id === 0 ? `its tables are ${tables.join(', ')}` : `application_id ${id} marks it as another's`
  throw new DatabaseFileError(
    `cannot use the database ${file}: it is not a stockpoll database (${whose}); point DATABASE_FILE at a file ` +
      'of its own',
  )
}
