import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { DATABASE_URL, runPostgresTests, useSchemas } from '../helpers/postgres.js'
import { MANY_SHOPPERS_ONE_ADDRESS } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { expectEveryAnswerKept, storm, type StormShop } from '../helpers/storm.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'

const SHOP: StormShop = {
  skus: ['sku-0', 'sku-1', 'sku-2'],
  onHand: 60,
  sessions: 40,
  adminToken: 'postgres-outage-admin-token-0123456789abcdef',
}

const readiness = async (url: string) => (await fetch(`${url}/readyz`)).status

describe.skipIf(!runPostgresTests)('the PostgreSQL store while the database goes away mid-storm', () => {
  const { startServerProcess } = useServerProcesses()
  const newSchema = useSchemas()

  it('answers 503 and is not ready while the database is gone, then serves again, every 2xx action kept', async () => {
    // The server reaches PostgreSQL through a proxy, which drops every connection and refuses new ones, as a
    // database that restarts does, without restarting the one the other tests use.
    const database = new URL(DATABASE_URL)
    const proxy = await startTcpProxy(Number(database.port || 5432), database.hostname)
    try {
      database.port = String(proxy.port)
      const server = await startServerProcess({
        STORE: 'postgres',
        DATABASE_URL: database.href,
        DATABASE_SCHEMA: newSchema(),
        CATALOG_FILE: catalogFile(products(SHOP.skus.length, SHOP.onHand)),
        MAX_PER_SESSION: '3',
        ADMIN_TOKEN: SHOP.adminToken,
        ...MANY_SHOPPERS_ONE_ADDRESS,
      })
      expect(await readiness(server.url)).toBe(200)
      const answered = await storm(server.url, SHOP, {
        actions: 600,
        inFlight: 8,
        midway: async () => {
          proxy.cut()
          await eventually(async () => (await readiness(server.url)) === 503, 5000)
          const refused = await fetch(`${server.url}/cart`, {
            method: 'POST',
            body: new URLSearchParams({ session: 'during', action: 'set', sku: 'sku-0', quantity: '1' }),
          })
          expect(refused.status).toBe(503)
          expect(await refused.json()).toMatchObject({ error: 'store_unavailable' })
          proxy.mend()
          await eventually(async () => (await readiness(server.url)) === 200, 10_000)
          return 'go on'
        },
      })
      const statuses = new Set(answered.map(({ status }) => status))
      expect([...statuses].every((status) => [200, 201, 409, 503].includes(status))).toBe(true)
      expect(answered.filter(({ status }) => status < 300).length).toBeGreaterThan(150)
      await expectEveryAnswerKept(server.url, SHOP, answered)
    } finally {
      await proxy.close()
    }
  }, 60_000)
})
