import { expect } from 'vitest'

/** One request the shoppers send: a cart action or a checkout, under its own idempotency key. */
export interface Sent {
  readonly path: '/cart' | '/checkout'
  readonly fields: Record<string, string>
  readonly key: string
}

export interface Answered extends Sent {
  readonly status: number
  readonly body: string
}

/** A storm's shop: products of `onHand` units each, and the sessions that shop. */
export interface StormShop {
  readonly skus: readonly string[]
  readonly onHand: number
  readonly sessions: number
  readonly adminToken: string
}

function randomRequest(shop: StormShop, i: number, name: string): Sent {
  const session = `shopper-${i % shop.sessions}`
  if (Math.random() < 0.3) return { path: '/checkout', fields: { session }, key: `${name}checkout-${i}` }
  const sku = shop.skus[Math.floor(Math.random() * shop.skus.length)]!
  const quantity = String(Math.floor(Math.random() * 4))
  return { path: '/cart', fields: { session, action: 'set', sku, quantity }, key: `${name}cart-${i}` }
}

export const sendTo = (url: string, { path, fields, key }: Sent) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'Idempotency-Key': key }, body: new URLSearchParams(fields) })

/**
 * Sends `actions` random cart actions and checkouts to `url`, `inFlight` at a time, each under a key of its
 * own (starting with `name`, for storms on one shop to keep apart), and gives every answer it got. `midway` is called once, when half have been answered; the storm goes on
 * unless it says to stop. A request cut off without an answer is owed nothing, and left out.
 */
export async function storm(
  url: string,
  shop: StormShop,
  {
    actions,
    inFlight,
    midway,
    name = '',
  }: { actions: number; inFlight: number; midway: () => Promise<'stop' | 'go on'>; name?: string },
): Promise<Answered[]> {
  const answered: Answered[] = []
  let next = 0
  let stopped = false
  let half: Promise<'stop' | 'go on'> | undefined
  const shopper = async () => {
    while (next < actions && !stopped) {
      const request = randomRequest(shop, next++, name)
      try {
        const response = await sendTo(url, request)
        answered.push({ ...request, status: response.status, body: await response.text() })
      } catch {
        // Cut off: not answered, so nothing is owed.
      }
      if (answered.length >= actions / 2 && !half) half = midway()
      if (half && (await half) === 'stop') stopped = true
    }
  }
  await Promise.all(Array.from({ length: inFlight }, shopper))
  return answered
}

/**
 * What a user checks after a storm: every action answered 2xx is still there (sent again under its key, it is
 * answered as it was, a hold's seconds counted from now, not redone), and every order as `expectOrdersKept`.
 */
export async function expectEveryAnswerKept(url: string, shop: StormShop, answered: readonly Answered[]) {
  const counted = (body: string) => body.replace(/"holdExpiresInSeconds":\d+/g, '"holdExpiresInSeconds":"counted"')
  for (const request of answered.filter(({ status }) => status >= 200 && status < 300)) {
    const replayed = await sendTo(url, request)
    expect(replayed.headers.get('Idempotent-Replayed'), `${request.key} was lost`).toBe('true')
    expect(counted(await replayed.text())).toBe(counted(request.body))
  }
  await expectOrdersKept(url, shop, answered)
}

/**
 * What a user checks of the orders after a storm: `/admin/verify` is ok, every order answered is kept with its
 * sales in the ledger, and every unit sold is in exactly one order.
 */
export async function expectOrdersKept(url: string, shop: StormShop, answered: readonly Answered[]) {
  const admin = async (path: string) =>
    (await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${shop.adminToken}` } })).json()
  expect(await admin('/admin/verify')).toEqual({ ok: true })
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
  const orders = answered.filter(({ path, status }) => path === '/checkout' && status === 201)
  for (const { body } of orders) {
    const order = JSON.parse(body) as { id: string; session: string; lines: { sku: string; quantity: number }[] }
    const kept = await fetch(`${url}/orders/${order.id}?session=${order.session}`)
    expect(await kept.json()).toMatchObject({ id: order.id, status: 'placed', lines: order.lines })
    const sold = sales.filter(({ orderId }) => orderId === order.id)
    expect(sold.map(({ sku, quantity }) => ({ sku, quantity: -quantity }))).toEqual(
      order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    )
  }
  const { products } = (await (await fetch(`${url}/products`)).json()) as {
    products: { sku: string; onHand: number; held: number }[]
  }
  for (const { sku, onHand, held } of products) {
    const soldOfSku = sales.filter((sale) => sale.sku === sku).reduce((sum, sale) => sum - sale.quantity, 0)
    expect(onHand + soldOfSku).toBe(shop.onHand)
    expect(held).toBeLessThanOrEqual(onHand)
  }
}
