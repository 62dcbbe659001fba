import type { Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/start-server.js'
import { accessibilityViolations } from '../helpers/axe.js'
import { catalogFile } from '../helpers/catalogs.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { clickIn, openTabs, shows, showsText, textOf } from '../helpers/page.js'
import { postCart, useServers } from '../helpers/running-server.js'

const TOKEN = 'test-admin-token-0123456789abcdef0123456789'
const CATALOG = [
  { sku: 'tee', name: 'Tee', onHand: 10 },
  { sku: 'hoodie', name: 'Hoodie', onHand: 4 },
  { sku: 'poster', name: 'Poster', onHand: 2 },
]

/** A cell of a product's row in the admin's table: 1 name, 2 on hand, 3 held, 4 available, 5 in open orders. */
const cell = (sku: string, column: number) => `#products tr[data-sku="${sku}"] td:nth-of-type(${column})`
const shopperSees = (sku: string) => `li.product[data-sku="${sku}"] .available`

/** Opens the admin page in a tab of its own browser, and signs in with `token`. */
async function openAdmin(page: Page, url: string, token = TOKEN): Promise<void> {
  await page.goto(`${url}/admin`)
  await page.fill('#token', token)
  await clickIn(page, '#sign-in button')
}

describe.skipIf(!runBrowserTests)('the admin page in a real browser', { timeout: 30_000 }, () => {
  const start = useServers()
  const shopperBrowser = useBrowserContext()
  const adminBrowser = useBrowserContext()
  let server: RunningServer

  beforeEach(async () => {
    // Holds that never lapse, so that the admin's list of them reads the same whenever it is read.
    const env = { CATALOG_FILE: catalogFile(CATALOG), MAX_PER_SESSION: '3', CART_TTL_SECONDS: '0' }
    server = await start({ ...env, ADMIN_TOKEN: TOKEN })
  })

  it("restocks and archives a product, which a shopper's window shows at once; a shopper's cart moves the admin's table", async () => {
    const [shopper] = (await openTabs(shopperBrowser(), server.url, 1)) as [Page]
    await showsText(shopper, shopperSees('poster'), 'Only 2 left')
    const admin = await adminBrowser().newPage()
    await openAdmin(admin, server.url)
    await showsText(admin, cell('poster', 2), '2', 5000)

    await admin.fill('input[aria-label="Change on hand of poster by"]', '5')
    await admin.fill('input[aria-label="Why on hand of poster changes"]', 'a delivery')
    await clickIn(admin, '#products tr[data-sku="poster"] button[type=submit]')
    await showsText(shopper, shopperSees('poster'), '7 left')
    await showsText(admin, cell('poster', 2), '7')
    expect(await textOf(admin, '#products-message')).toBe('poster: on hand is now 7.')

    await clickIn(shopper, 'li.product[data-sku="hoodie"] .more')
    await showsText(admin, cell('hoodie', 3), '1')
    expect(await textOf(admin, cell('hoodie', 4))).toBe('3')

    await clickIn(admin, 'button[aria-label="Archive tee"]')
    await showsText(shopper, shopperSees('tee'), 'No longer sold')
    await showsText(admin, '#products-message', 'tee is archived: no longer sold.')
    await clickIn(admin, 'button[aria-label="Sell again tee"]')
    await showsText(shopper, shopperSees('tee'), '10 left')
  })

  it("lets go a shopper's hold, cancels an order, and checks the ledger", async () => {
    expect((await postCart(server.url, 'ann', 'set', {}, { sku: 'hoodie', quantity: '2' })).status).toBe(200)
    const admin = await adminBrowser().newPage()
    await openAdmin(admin, server.url)
    await clickIn(admin, 'button[aria-label="Holds of hoodie"]')
    await showsText(admin, '#hold-list li', 'ann: 2, held Release')
    await clickIn(admin, 'button[aria-label="Release the hold of ann"]')
    await showsText(admin, '#holds-message', "Released ann's hoodie.")
    // The list is read again after the release, as the table is after the change it makes: wait for both.
    await shows(admin, '#holds-empty', { hidden: false })
    expect(await admin.locator('#hold-list li').count()).toBe(0)
    await showsText(admin, cell('hoodie', 3), '0')

    expect((await postCart(server.url, 'bob', 'set', {}, { sku: 'tee', quantity: '3' })).status).toBe(200)
    const checkout = await fetch(`${server.url}/checkout`, {
      method: 'POST',
      body: new URLSearchParams({ session: 'bob' }),
    })
    const { id } = (await checkout.json()) as { id: string }
    await showsText(admin, cell('tee', 2), '7')
    await showsText(admin, cell('tee', 5), '3')
    await clickIn(admin, `button[aria-label="Cancel order ${id}"]`)
    await showsText(admin, cell('tee', 2), '10')
    expect(await textOf(admin, cell('tee', 5))).toBe('0')
    await showsText(admin, '#orders-message', `Cancelled order ${id}: its units are back on hand.`)

    await clickIn(admin, '#verify')
    await showsText(admin, '#verify-result', 'The ledger adds up to every product’s counters.')
    expect(await accessibilityViolations(admin)).toEqual([])
  })

  it('asks for the token once per tab, and refuses a wrong one', async () => {
    const admin = await adminBrowser().newPage()
    await openAdmin(admin, server.url, `${TOKEN}-not`)
    await showsText(admin, '#sign-in-message', 'That is not the admin token.')
    expect(await admin.locator('#signed-in').isHidden()).toBe(true)
    await openAdmin(admin, server.url)
    await showsText(admin, cell('tee', 2), '10', 5000)
    await admin.reload()
    await showsText(admin, cell('tee', 2), '10', 5000)
    expect(await admin.locator('#sign-in').isHidden()).toBe(true)

    const another = await adminBrowser().newPage()
    await another.goto(`${server.url}/admin`)
    await showsText(another, '#sign-in label', 'Admin token', 5000)
    expect(await accessibilityViolations(another)).toEqual([])
  })
})
