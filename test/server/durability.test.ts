import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { MANY_SHOPPERS_ONE_ADDRESS } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'

const TOKEN = 'durability-test-admin-token-0123456789abcdef'
const ACTIONS = 1000
const IN_FLIGHT = 8
const SESSIONS = 40
const SKUS = ['sku-0', 'sku-1', 'sku-2']
const ON_HAND = 60

/** One request the shoppers send: a cart action or a checkout, under its own idempotency key. */
interface Sent {
  readonly path: '/cart' | '/checkout'
  readonly fields: Record<string, string>
  readonly key: string
}

interface Answered extends Sent {
  readonly status: number
  readonly body: string
}

function randomRequest(i: number): Sent {
  const session = `shopper-${i % SESSIONS}`
  if (Math.random() < 0.3) return { path: '/checkout', fields: { session }, key: `checkout-${i}` }
  const sku = SKUS[Math.floor(Math.random() * SKUS.length)]!
  const quantity = String(Math.floor(Math.random() * 4))
  return { path: '/cart', fields: { session, action: 'set', sku, quantity }, key: `cart-${i}` }
}

describe('the SQLite store, killed mid-flight', () => {
  const { startServerProcess } = useServerProcesses()
  const newFile = useDatabaseFiles()

  it('keeps every action answered 2xx before a SIGKILL, in the stock and the ledger, with no unit sold twice', async () => {
    const env = {
      STORE: 'sqlite',
      DATABASE_FILE: newFile(),
      CATALOG_FILE: catalogFile(products(SKUS.length, ON_HAND)),
      MAX_PER_SESSION: '3',
      ADMIN_TOKEN: TOKEN,
      ...MANY_SHOPPERS_ONE_ADDRESS,
    }
    const first = await startServerProcess(env)
    const epoch = ((await (await fetch(`${first.url}/products`)).json()) as { epoch: string }).epoch

    const send = async (url: string, { path, fields, key }: Sent) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'Idempotency-Key': key },
        body: new URLSearchParams(fields),
      })
    const answered: Answered[] = []
    let next = 0
    let killed = false
    const shopper = async () => {
      while (next < ACTIONS && !killed) {
        const request = randomRequest(next++)
        try {
          const response = await send(first.url, request)
          const body = await response.text()
          answered.push({ ...request, status: response.status, body })
        } catch {
          // Cut off by the kill: not answered, so nothing is owed.
        }
        if (answered.length === ACTIONS / 2 && !killed) {
          killed = true
          first.child.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, shopper))
    if (first.child.exitCode === null && first.child.signalCode === null) await once(first.child, 'exit')
    const succeeded = answered.filter(({ status }) => status >= 200 && status < 300)
    expect(succeeded.length).toBeGreaterThan(ACTIONS / 4)
    expect(succeeded.some(({ path }) => path === '/checkout')).toBe(true)

    const again = await startServerProcess(env)
    const admin = async (path: string) =>
      (await fetch(`${again.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()
    expect(await admin('/admin/verify')).toEqual({ ok: true })
    const catalog = (await (await fetch(`${again.url}/products`)).json()) as {
      epoch: string
      products: { sku: string; onHand: number; held: number }[]
    }
    expect(catalog.epoch).toBe(epoch)

    // Every answered action is still there: sent again under its key, it is answered as it was (a hold's
    // seconds counted from now), not redone.
    const counted = (body: string) => body.replace(/"holdExpiresInSeconds":\d+/g, '"holdExpiresInSeconds":"counted"')
    for (const request of succeeded) {
      const replayed = await send(again.url, request)
      expect(replayed.headers.get('Idempotent-Replayed'), `${request.key} was lost`).toBe('true')
      expect(counted(await replayed.text())).toBe(counted(request.body))
    }

    // Every order answered is kept, and every unit sold is in exactly one of them.
    const movements: { kind: string; sku: string; quantity: number; orderId: string | null }[] = []
    for (let after = 0; ;) {
      const page = (await admin(`/admin/movements?after=${after}&limit=1000`)) as {
        movements: typeof movements
        next: number | null
      }
      movements.push(...page.movements)
      if (page.next === null) break
      after = page.next
    }
    const sales = movements.filter(({ kind }) => kind === 'sale')
    for (const { body } of succeeded.filter(({ path }) => path === '/checkout')) {
      const order = JSON.parse(body) as { id: string; session: string; lines: { sku: string; quantity: number }[] }
      const kept = await fetch(`${again.url}/orders/${order.id}?session=${order.session}`)
      expect(await kept.json()).toMatchObject({ id: order.id, status: 'placed', lines: order.lines })
      const sold = sales.filter(({ orderId }) => orderId === order.id)
      expect(sold.map(({ sku, quantity }) => ({ sku, quantity: -quantity }))).toEqual(
        order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
      )
    }
    for (const { sku, onHand, held } of catalog.products) {
      const soldOfSku = sales.filter((sale) => sale.sku === sku).reduce((sum, sale) => sum - sale.quantity, 0)
      expect(onHand + soldOfSku).toBe(ON_HAND)
      expect(held).toBeLessThanOrEqual(onHand)
    }
  }, 60_000)
})
