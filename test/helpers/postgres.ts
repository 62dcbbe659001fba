import { nanoid } from 'nanoid'
import pg from 'pg'
import { afterAll } from 'vitest'

/** The database the tests use, which `.ci/run` makes; each test's tables are in a schema of its own. */
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/stockpoll_test'

async function reachable(): Promise<boolean> {
  const probe = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 1000 })
  probe.on('error', () => {})
  try {
    await probe.connect()
    return true
  } catch {
    return false
  } finally {
    await probe.end().catch(() => {})
  }
}

/**
 * Whether the PostgreSQL tests run: always in CI, where a missing database must fail them, and elsewhere only
 * where it answers.
 */
export const runPostgresTests = process.env.CI === 'true' || (await reachable())

if (!runPostgresTests) {
  console.warn(`PostgreSQL tests skipped: nothing answers at ${DATABASE_URL} (run .ci/run, or set TEST_DATABASE_URL)`)
}

/** Hands out fresh schemas to the current test file, and drops them, with all in them, after its last test. */
export function useSchemas(): () => string {
  const schemas: string[] = []
  afterAll(async () => {
    if (schemas.length === 0) return
    const client = new pg.Client({ connectionString: DATABASE_URL })
    await client.connect()
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  })
  return () => {
    const schema = `test_${nanoid(10)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '_')}`
    schemas.push(schema)
    return schema
  }
}
