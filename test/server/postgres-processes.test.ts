import { describe, expect, it } from 'vitest'
import { eventually } from '../helpers/eventually.js'
import { DATABASE_URL, runPostgresTests, useSchemas } from '../helpers/postgres.js'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { anyEpoch } from '../helpers/stock.js'

interface Stock {
  readonly inventoryCount: number
  readonly totalInventory: number
  readonly version: number
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>
const inventoryOf = (url: string) => getJson<Stock>(`${url}/inventory`)
const TOKEN = 'postgres-processes-admin-token-0123456789abcdef'
const AS_ADMIN = { Authorization: `Bearer ${TOKEN}` }

describe.skipIf(!runPostgresTests)('several server processes on one PostgreSQL database', { timeout: 60_000 }, () => {
  const { startServerProcess } = useServerProcesses()
  const newSchema = useSchemas()

  /** Two server processes sharing a fresh stock of `TOTAL_INVENTORY` (10 unless said), in a schema of their own. */
  async function twoProcesses(extraEnv: Record<string, string> = {}): Promise<[string, string]> {
    const env = {
      STORE: 'postgres',
      DATABASE_URL,
      DATABASE_SCHEMA: newSchema(),
      ADMIN_TOKEN: TOKEN,
      ...MANY_SHOPPERS_ONE_ADDRESS,
      ...extraEnv,
    }
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    return [a.url, b.url]
  }

  it("answers a waiter on B with a change made on A, and A's own waiters too", async () => {
    const [a, b] = await twoProcesses()
    for (let round = 0; round < 5; round++) {
      const { version } = await inventoryOf(b)
      const polls = [a, b].map((url) => getJson<Stock>(`${url}/status?since=${version}&timeout=10`))
      expect((await postCart(a, `shopper-${round}`, 'add')).status).toBe(200)
      for (const answer of await Promise.all(polls)) {
        expect(answer).toEqual({
          inventoryCount: 9 - round,
          totalInventory: 10,
          version: version + 1,
          epoch: anyEpoch,
          retryAfterMs: 0,
        })
      }
    }
  })

  it('sells exactly the stock to 200 checkouts racing over both processes, and the ledger verifies', async () => {
    const [a, b] = await twoProcesses({ TOTAL_INVENTORY: '200', CART_TTL_SECONDS: '1' })
    const sessions = Array.from({ length: 200 }, (_, i) => `shopper-${i}`)
    const added = await Promise.all(sessions.map((session, i) => postCart(i % 2 ? a : b, session, 'add')))
    expect(added.every(({ status }) => status === 200)).toBe(true)
    // Every hold lapses: the lines stay, unheld, and their checkouts race for what is left.
    await eventually(async () => (await inventoryOf(a)).inventoryCount === 200, 5000)
    const sale = await fetch(`${a}/admin/products/default/sales`, {
      method: 'POST',
      headers: { ...AS_ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ quantity: 80, reason: 'sold at the till' }),
    })
    expect(sale.status).toBe(200)
    const answers = await Promise.all(
      sessions.map((session, i) =>
        fetch(`${i % 2 ? a : b}/checkout`, { method: 'POST', body: new URLSearchParams({ session }) }),
      ),
    )
    expect(answers.filter(({ status }) => status === 201)).toHaveLength(120)
    expect(answers.filter(({ status }) => status === 409)).toHaveLength(80)
    expect(await inventoryOf(b)).toMatchObject({ inventoryCount: 0, totalInventory: 0 })
    const verified = await fetch(`${b}/admin/verify`, { headers: AS_ADMIN })
    expect(await verified.json()).toEqual({ ok: true })
  })
})
