import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { DATABASE_URL, runPostgresTests, useSchemas } from '../helpers/postgres.js'
import { MANY_SHOPPERS_ONE_ADDRESS } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { expectEveryAnswerKept, storm, type StormShop } from '../helpers/storm.js'

const SHOP: StormShop = {
  skus: ['sku-0', 'sku-1', 'sku-2'],
  onHand: 60,
  sessions: 40,
  adminToken: 'durability-test-admin-token-0123456789abcdef',
}
const ACTIONS = 1000

describe('a store that outlives its process, killed mid-flight', () => {
  const { startServerProcess } = useServerProcesses()
  const newFile = useDatabaseFiles()
  const newSchema = useSchemas()
  const stores = [
    { name: 'SQLite', env: () => ({ STORE: 'sqlite', DATABASE_FILE: newFile() }), runs: true },
    {
      name: 'PostgreSQL',
      env: () => ({ STORE: 'postgres', DATABASE_URL, DATABASE_SCHEMA: newSchema() }),
      runs: runPostgresTests,
    },
  ].filter(({ runs }) => runs)

  it.each(stores)(
    'keeps every action answered 2xx before a SIGKILL in $name, in the stock and the ledger, with no unit sold twice',
    async ({ env: storeEnv }) => {
      const env = {
        ...storeEnv(),
        CATALOG_FILE: catalogFile(products(SHOP.skus.length, SHOP.onHand)),
        MAX_PER_SESSION: '3',
        ADMIN_TOKEN: SHOP.adminToken,
        ...MANY_SHOPPERS_ONE_ADDRESS,
      }
      const first = await startServerProcess(env)
      const epoch = ((await (await fetch(`${first.url}/products`)).json()) as { epoch: string }).epoch
      const answered = await storm(first.url, SHOP, {
        actions: ACTIONS,
        inFlight: 8,
        midway: async () => {
          first.child.kill('SIGKILL')
          return 'stop'
        },
      })
      if (first.child.exitCode === null && first.child.signalCode === null) await once(first.child, 'exit')
      const succeeded = answered.filter(({ status }) => status >= 200 && status < 300)
      expect(succeeded.length).toBeGreaterThan(ACTIONS / 4)
      expect(succeeded.some(({ path }) => path === '/checkout')).toBe(true)

      const again = await startServerProcess(env)
      expect(((await (await fetch(`${again.url}/products`)).json()) as { epoch: string }).epoch).toBe(epoch)
      await expectEveryAnswerKept(again.url, SHOP, answered)
    },
    60_000,
  )
})
