import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/start-server.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { clickIn, openTabs, shows, showsText } from '../helpers/page.js'
import { usePrivateRedis, type PrivateRedis } from '../helpers/private-redis.js'
import { runRedisTests } from '../helpers/redis.js'
import { useServers } from '../helpers/running-server.js'

const TOKEN = 'undecided-checkout-test-admin-token-01234'
const RETRYING = /^The shop did not answer in time, so it is not known yet whether your order was placed/
/** How long a checkout waits on a stalled Redis before it is answered 503: its rate limits', then its own. */
const CUT_OFF_WITHIN_MS = 10_000

describe.skipIf(!runBrowserTests || !runRedisTests)('a checkout the shop could not answer', { timeout: 40_000 }, () => {
  const start = useServers()
  const context = useBrowserContext()
  const privateRedis = usePrivateRedis()

  /** A shop on a Redis of its own, and a shopper's window with one unit in the cart. */
  async function shopperWithCart(): Promise<{ server: RunningServer; redis: PrivateRedis; shopper: Page }> {
    const redis = await privateRedis()
    const server = await start({ STORE: 'redis', REDIS_URL: redis.url, ADMIN_TOKEN: TOKEN })
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    await clickIn(shopper, '#add')
    await showsText(shopper, '#cart-state', 'One unit is in your cart.')
    return { server, redis, shopper }
  }

  const salesOf = async (url: string) => {
    const { movements } = (await (
      await fetch(`${url}/admin/movements`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).json()) as { movements: { kind: string }[] }
    return movements.filter(({ kind }) => kind === 'sale').length
  }

  it('asks again under the same key until it knows, and shows the order the shop made meanwhile', async () => {
    const { server, redis, shopper } = await shopperWithCart()
    redis.pause()
    await clickIn(shopper, '#checkout')
    await expect
      .poll(() => shopper.locator('#checkout-message').textContent(), { timeout: CUT_OFF_WITHIN_MS })
      .toMatch(RETRYING)
    redis.resume()
    await shows(shopper, '#order', { hidden: false }, CUT_OFF_WITHIN_MS)
    expect(await shopper.locator('#order li').allTextContents()).toEqual(['1 × The Limited Edition'])
    await showsText(shopper, '#checkout-message', '')
    await showsText(shopper, '#cart-state', 'Your cart is empty.')
    expect(await salesOf(server.url)).toBe(1)
  })

  it('finds out after a reload what became of a checkout left unanswered', async () => {
    const { server, redis, shopper } = await shopperWithCart()
    redis.pause()
    await clickIn(shopper, '#checkout')
    await expect
      .poll(() => shopper.locator('#checkout-message').textContent(), { timeout: CUT_OFF_WITHIN_MS })
      .toMatch(RETRYING)
    await shopper.reload({ waitUntil: 'commit' })
    redis.resume()
    await shows(shopper, '#order', { hidden: false }, CUT_OFF_WITHIN_MS)
    expect(await shopper.locator('#order li').allTextContents()).toEqual(['1 × The Limited Edition'])
    expect(await salesOf(server.url)).toBe(1)
  })
})
