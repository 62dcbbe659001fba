import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** Hands out fresh SQLite database paths to the current test file, and deletes them after its last test. */
export function useDatabaseFiles(): () => string {
  let folder: string | undefined
  let count = 0
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true })
  })
  return () => join((folder ??= mkdtempSync(join(tmpdir(), 'stockpoll-db-'))), `stock-${count++}.db`)
}
