import type { Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/start-server.js'
import { catalogFile } from '../helpers/catalogs.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { eventually } from '../helpers/eventually.js'
import { clickIn, openTabs, shows, showsText, textOf } from '../helpers/page.js'
import { heldBy, postCart, useServers } from '../helpers/running-server.js'

const CATALOG = [
  { sku: 'tee', name: 'Tee', onHand: 10 },
  { sku: 'hoodie', name: 'Hoodie', onHand: 4 },
  { sku: 'poster', name: 'Poster', onHand: 2 },
]

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789'
const product = (sku: string, part: string) => `li.product[data-sku="${sku}"] ${part}`

describe.skipIf(!runBrowserTests)('the catalog page in a real browser', { timeout: 30_000 }, () => {
  const start = useServers()
  const context = useBrowserContext()
  let server: RunningServer

  beforeEach(async () => {
    server = await start({
      CATALOG_FILE: catalogFile(CATALOG),
      MAX_PER_SESSION: '3',
      SHOP_NAME: 'Corner Shop',
      ADMIN_TOKEN,
    })
  })

  it('shows every product, and moves the counts in another window as quantities change in one', async () => {
    const [shopper, watcher] = (await openTabs(context(), server.url, 2)) as [Page, Page]
    for (const page of [shopper, watcher]) {
      await showsText(page, product('tee', '.available'), '10 left')
      expect(await textOf(page, product('hoodie', '.name'))).toBe('Hoodie')
      expect(await textOf(page, product('poster', '.available'))).toBe('Only 2 left')
    }
    await clickIn(shopper, product('hoodie', '.more'))
    await showsText(shopper, product('hoodie', '.quantity'), '1')
    await clickIn(shopper, product('hoodie', '.more'))
    await showsText(shopper, product('hoodie', '.quantity'), '2')
    await showsText(watcher, product('hoodie', '.available'), 'Only 2 left')
    await showsText(shopper, '#lines li[data-sku="hoodie"] span', '2 × Hoodie')
    expect(await textOf(watcher, product('hoodie', '.quantity'))).toBe('0')

    await clickIn(shopper, product('hoodie', '.less'))
    await showsText(watcher, product('hoodie', '.available'), 'Only 3 left')
  })

  it('caps the quantity at the most a session may hold and at what is left', async () => {
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    for (let i = 1; i <= 3; i++) {
      await clickIn(shopper, product('tee', '.more'))
      await showsText(shopper, product('tee', '.quantity'), String(i))
    }
    expect(await shopper.locator(product('tee', '.more')).isDisabled()).toBe(true)
    await clickIn(shopper, product('poster', '.more'))
    await clickIn(shopper, product('poster', '.more'))
    await showsText(shopper, product('poster', '.available'), 'Sold out')
    expect(await shopper.locator(product('poster', '.more')).isDisabled()).toBe(true)
    expect(await shopper.locator(product('poster', '.less')).isEnabled()).toBe(true)
  })

  it('says why + cannot be pressed: the cap on a cart line, or nothing left', async () => {
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    for (let i = 1; i <= 3; i++) await clickIn(shopper, product('tee', '.more'))
    await showsText(shopper, product('tee', '.why'), 'At most 3 per cart')
    // The quantity shows the clicks at once; what is left, once the server has them all.
    await showsText(shopper, product('tee', '.available'), '7 left')
    const more = shopper.locator(product('tee', '.more'))
    const description = await more.evaluate((button) =>
      (button.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent)
        .join(' / '),
    )
    expect(description).toBe('7 left / At most 3 per cart')
    expect((await postCart(server.url, 'other', 'set', {}, { sku: 'poster', quantity: '2' })).status).toBe(200)
    await showsText(shopper, product('poster', '.available'), 'Sold out')
    expect(await textOf(shopper, product('poster', '.why'))).toBe('')
  })

  it('keeps keyboard focus on the product when + reaches the cap: it moves to −', async () => {
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    await shopper.bringToFront()
    await shopper.focus(product('tee', '.more'))
    for (let i = 1; i <= 3; i++) {
      await shopper.keyboard.press('Enter')
      await showsText(shopper, product('tee', '.quantity'), String(i))
    }
    expect(await shopper.evaluate(() => document.activeElement?.className)).toBe('less')
    expect(await shopper.evaluate(() => document.activeElement?.closest('li')?.dataset.sku)).toBe('tee')
  })

  it('fits a 320 px wide screen with no sideways scroll, each button a 44 px target', async () => {
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    await shopper.setViewportSize({ width: 320, height: 640 })
    await clickIn(shopper, product('hoodie', '.more'))
    await showsText(shopper, product('hoodie', '.quantity'), '1')
    expect(await shopper.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320)
    for (const button of await shopper.locator('li.product button').all()) {
      const box = await button.boundingBox()
      expect(Math.min(box!.width, box!.height)).toBeGreaterThanOrEqual(44)
    }
  })

  it('counts every click, even one made while the request of the one before is on its way', async () => {
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    const heldOf = async (sku: string) =>
      ((await (await fetch(`${server.url}/products/${sku}`)).json()) as { product: { held: number } }).product.held
    // Clicked twice in one task, as a quick shopper does: the second click comes before the first is answered.
    const clickTwice = (selector: string) =>
      shopper.evaluate((target) => {
        const button = document.querySelector<HTMLButtonElement>(target)!
        button.click()
        button.click()
      }, selector)

    await clickTwice(product('hoodie', '.more'))
    await showsText(shopper, '#lines li[data-sku="hoodie"] span', '2 × Hoodie')
    await eventually(async () => (await heldOf('hoodie')) === 2)
    await clickTwice(product('hoodie', '.less'))
    await shows(shopper, '#cart-empty', { hidden: false })
    await eventually(async () => (await heldOf('hoodie')) === 0)
    expect(await textOf(shopper, product('hoodie', '.quantity'))).toBe('0')
  })

  it('shows sold out on one product and leaves the others alone', async () => {
    const [watcher] = (await openTabs(context(), server.url, 1)) as [Page]
    await showsText(watcher, product('poster', '.available'), 'Only 2 left')
    for (const session of ['a', 'b']) {
      expect((await postCart(server.url, session, 'set', {}, { sku: 'poster', quantity: '1' })).status).toBe(200)
    }
    await showsText(watcher, product('poster', '.available'), 'Sold out')
    expect(await watcher.locator(product('poster', '.more')).isDisabled()).toBe(true)
    expect(await textOf(watcher, product('tee', '.available'))).toBe('10 left')
    expect(await watcher.locator(product('tee', '.more')).isEnabled()).toBe(true)
  })

  it('shows a product the shop archived as no longer sold, at once, and takes no more of it', async () => {
    const [watcher] = (await openTabs(context(), server.url, 1)) as [Page]
    await showsText(watcher, product('hoodie', '.available'), 'Only 4 left')
    const archive = await fetch(`${server.url}/admin/products/hoodie/archive`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(archive.status).toBe(200)
    await showsText(watcher, product('hoodie', '.available'), 'No longer sold')
    expect(await watcher.locator(product('hoodie', '.more')).isDisabled()).toBe(true)
    expect(await watcher.locator(product('tee', '.more')).isEnabled()).toBe(true)
  })

  it('tells the shopper when a sale made in the shop took units from their cart, and shows what is left', async () => {
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    await clickIn(shopper, product('hoodie', '.more'))
    await clickIn(shopper, product('hoodie', '.more'))
    await showsText(shopper, '#lines li[data-sku="hoodie"] span', '2 × Hoodie')
    const sale = await fetch(`${server.url}/admin/products/hoodie/sales`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ quantity: 3, reason: 'sold at the counter', takeFromHolds: true }),
    })
    expect(sale.status).toBe(200)
    await showsText(shopper, '#catalog-message', 'Sold in the shop meanwhile, and taken from your cart: 1 × Hoodie.')
    await showsText(shopper, '#lines li[data-sku="hoodie"] span', '1 × Hoodie')
    expect(await textOf(shopper, product('hoodie', '.quantity'))).toBe('1')
  })

  it('checks out the whole cart: the order shows, the cart empties, and every window sees the stock sold', async () => {
    const [shopper, watcher] = (await openTabs(context(), server.url, 2)) as [Page, Page]
    expect(await shopper.locator('#checkout').isDisabled()).toBe(true)
    await clickIn(shopper, product('hoodie', '.more'))
    await clickIn(shopper, product('hoodie', '.more'))
    await clickIn(shopper, product('poster', '.more'))
    await showsText(shopper, '#lines li[data-sku="poster"] span', '1 × Poster')
    await clickIn(shopper, '#checkout')
    await shows(shopper, '#order', { hidden: false })
    expect(await textOf(shopper, '#order h2')).toBe('Your order')
    expect(await shopper.locator('#order li').allTextContents()).toEqual(['2 × Hoodie', '1 × Poster'])
    await showsText(shopper, '#cart-empty', 'Your cart is empty.')
    expect(await shopper.locator('#checkout').isDisabled()).toBe(true)
    await showsText(watcher, product('hoodie', '.available'), 'Only 2 left')
    await showsText(watcher, product('poster', '.available'), 'Only 1 left')
    const sold = (await (await fetch(`${server.url}/products/hoodie`)).json()) as { product: { onHand: number } }
    expect(sold.product.onHand).toBe(2)

    // The order is still shown after a reload, read back from the shop.
    await shopper.reload()
    await shows(shopper, '#order', { hidden: false }, 5000)
    expect(await shopper.locator('#order li').allTextContents()).toEqual(['2 × Hoodie', '1 × Poster'])
  })

  it('keeps every line across a reload, each with its hold counting down', async () => {
    server = await start({ CATALOG_FILE: catalogFile(CATALOG), MAX_PER_SESSION: '3', CART_TTL_SECONDS: '600' })
    const [shopper] = (await openTabs(context(), server.url, 1)) as [Page]
    await clickIn(shopper, product('tee', '.more'))
    await clickIn(shopper, product('poster', '.more'))
    await showsText(shopper, '#lines li[data-sku="poster"] span', '1 × Poster')
    await shopper.reload()
    await showsText(shopper, '#link', 'live', 5000)
    await showsText(shopper, product('tee', '.quantity'), '1')
    expect(await textOf(shopper, product('poster', '.quantity'))).toBe('1')
    expect(await textOf(shopper, '#lines li[data-sku="tee"] .hold')).toMatch(/^held for (10:00|9:5\d)$/)
    await shows(shopper, '#cart-empty', { hidden: true })
  })

  it('holds one push connection for the whole catalog, however many tabs show it', async () => {
    const tabs = await openTabs(context(), server.url, 3)
    expect(await heldBy(server.url)).toEqual({ longPoll: 0, sse: 1, ws: 0 })
    expect((await postCart(server.url, 'curl', 'set', {}, { sku: 'tee', quantity: '3' })).status).toBe(200)
    await Promise.all(tabs.map((tab) => showsText(tab, product('tee', '.available'), '7 left')))
  })

  it('shows one product on its own page, under its name, and keeps it live', async () => {
    const [page] = (await openTabs(context(), `${server.url}/p/hoodie`, 1)) as [Page]
    expect(await textOf(page, '#title')).toBe('Hoodie')
    expect(await page.locator('li.product').count()).toBe(1)
    expect((await postCart(server.url, 'curl', 'set', {}, { sku: 'hoodie', quantity: '3' })).status).toBe(200)
    await showsText(page, product('hoodie', '.available'), 'Only 1 left')
  })

  it("titles the shop with its name, and a product's own page with both", async () => {
    const [shop] = (await openTabs(context(), server.url, 1)) as [Page]
    await showsText(shop, '#title', 'Corner Shop')
    expect(await shop.title()).toBe('Corner Shop')
    const [hoodie] = (await openTabs(context(), `${server.url}/p/hoodie`, 1)) as [Page]
    await showsText(hoodie, '#title', 'Hoodie')
    expect(await hoodie.title()).toBe('Hoodie · Corner Shop')
  })
})
