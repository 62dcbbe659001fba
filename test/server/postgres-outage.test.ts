import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { eventually } from '../helpers/eventually.js'
import { runPostgresTests } from '../helpers/postgres.js'
import { usePrivatePostgres } from '../helpers/private-postgres.js'
import { MANY_SHOPPERS_ONE_ADDRESS } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { expectEveryAnswerKept, storm, type StormShop } from '../helpers/storm.js'

const SHOP: StormShop = {
  skus: ['sku-0', 'sku-1', 'sku-2'],
  onHand: 60,
  sessions: 40,
  adminToken: 'postgres-outage-admin-token-0123456789abcdef',
}

const readiness = async (url: string) => (await fetch(`${url}/readyz`)).status

describe.skipIf(!runPostgresTests)('the PostgreSQL store while the database restarts mid-storm', () => {
  const { startServerProcess } = useServerProcesses()
  const newDatabase = usePrivatePostgres()

  it('answers 503 and is not ready while the database is down, then serves again, every 2xx action kept', async () => {
    // A database of this test's own, which it crashes and starts again, as the one the others use cannot be.
    const database = await newDatabase()
    const server = await startServerProcess({
      STORE: 'postgres',
      DATABASE_URL: database.url,
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
        await database.crash()
        await eventually(async () => (await readiness(server.url)) === 503, 5000)
        const refused = await fetch(`${server.url}/cart`, {
          method: 'POST',
          body: new URLSearchParams({ session: 'during', action: 'set', sku: 'sku-0', quantity: '1' }),
        })
        expect(refused.status).toBe(503)
        expect(await refused.json()).toMatchObject({ error: 'store_unavailable' })
        await database.start()
        await eventually(async () => (await readiness(server.url)) === 200, 10_000)
        return 'go on'
      },
    })
    const statuses = new Set(answered.map(({ status }) => status))
    expect([...statuses].every((status) => [200, 201, 409, 503].includes(status))).toBe(true)
    expect(answered.filter(({ status }) => status < 300).length).toBeGreaterThan(150)
    await expectEveryAnswerKept(server.url, SHOP, answered)
  }, 60_000)
})
