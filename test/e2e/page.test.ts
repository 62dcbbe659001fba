import type { Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/start-server.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { clickIn, openTabs, shows, showsText, textOf } from '../helpers/page.js'
import { eventually } from '../helpers/eventually.js'
import { postCart, useServers } from '../helpers/running-server.js'

/** How many cart actions the server applied, as its metrics count them. */
const cartActionsDone = async (url: string) =>
  Number(
    /stockpoll_cart_actions_total\{result="ok"\} (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0,
  )

/** The units carts hold of the default product now. */
const heldIn = async (url: string) =>
  ((await (await fetch(`${url}/products/default`)).json()) as { product: { held: number } }).product.held

describe.skipIf(!runBrowserTests)('the page in a real browser', { timeout: 30_000 }, () => {
  const start = useServers()
  const context = useBrowserContext()
  let server: RunningServer
  let windows: Page[]

  beforeEach(async () => {
    server = await start()
    windows = await openTabs(context(), server.url, 3)
  })

  it('shows the full stock in every window, with only Add enabled', async () => {
    for (const page of windows) {
      expect(await textOf(page, '#count')).toBe('10')
      expect(await textOf(page, '#total')).toBe('10')
      expect(await page.locator('#add').isEnabled()).toBe(true)
      expect(await page.locator('#remove').isEnabled()).toBe(false)
      expect(await page.locator('#sold-out').isVisible()).toBe(false)
    }
  })

  it('tells shoppers whether the stock is live, and which transport carries it only when debugging', async () => {
    const [page] = windows as [Page, ...Page[]]
    expect(await page.locator('#link').isVisible()).toBe(true)
    expect(await page.locator('#via').isVisible()).toBe(false)
    await page.goto(`${page.url().split('?')[0]}?debug`)
    await shows(page, '#via', { hidden: false })
    expect(await page.locator('#via').isVisible()).toBe(true)
  })

  it('keeps keyboard focus on the cart buttons: Add pressed with the keyboard hands it to Remove', async () => {
    const [page] = windows as [Page, ...Page[]]
    await page.bringToFront()
    await page.focus('#add')
    await page.keyboard.press('Enter')
    await showsText(page, '#cart-state', 'One unit is in your cart.')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('remove')
  })

  it('updates the other windows within a second of a click on Add', async () => {
    const [shopper, ...watchers] = windows as [Page, Page, Page]
    await clickIn(shopper, '#add')
    await Promise.all(watchers.map((page) => showsText(page, '#count', '9')))
    await showsText(shopper, '#count', '9')
    expect(await textOf(shopper, '#cart-state')).toBe('One unit is in your cart.')
    expect(await shopper.locator('#add').isEnabled()).toBe(false)
    expect(await shopper.locator('#remove').isEnabled()).toBe(true)
    for (const page of watchers) expect(await textOf(page, '#cart-state')).toBe('Your cart is empty.')
  })

  it('shows sold out everywhere when the last unit goes, and Remove brings it back', async () => {
    const [first, second, third] = windows as [Page, Page, Page]
    await clickIn(first, '#add')
    await showsText(second, '#count', '9')
    await clickIn(second, '#add')
    await showsText(third, '#count', '8')
    for (let i = 0; i < 8; i++) expect((await postCart(server.url, `curl-${i}`, 'add')).status).toBe(200)

    for (const page of windows) await showsText(page, '#count', '0')
    await shows(third, '#sold-out', { hidden: false })
    expect(await third.locator('#add').isDisabled()).toBe(true)

    await clickIn(first, '#remove')
    for (const page of windows) await showsText(page, '#count', '1')
    await shows(third, '#sold-out', { hidden: true })
    expect(await third.locator('#add').isEnabled()).toBe(true)
    expect(await first.locator('#add').isEnabled()).toBe(true)
    expect(await second.locator('#remove').isEnabled()).toBe(true)
  })

  it('acts on a Remove clicked while the Add before it is on its way', async () => {
    const [shopper, watcher] = windows as [Page, Page]
    // In one task, as a quick shopper's two clicks: Remove comes before Add is answered.
    await shopper.evaluate(() => {
      document.getElementById('add')!.click()
      document.getElementById('remove')!.click()
    })
    // Both were sent, in order: the unit was held, then let go.
    await eventually(async () => (await cartActionsDone(server.url)) === 2)
    expect(await heldIn(server.url)).toBe(0)
    await showsText(shopper, '#cart-state', 'Your cart is empty.')
    await showsText(watcher, '#count', '10')
    expect(await shopper.locator('#add').isEnabled()).toBe(true)
  })

  it('keeps the cart across a reload of the window', async () => {
    const [shopper] = windows as [Page]
    await clickIn(shopper, '#add')
    await showsText(shopper, '#cart-state', 'One unit is in your cart.')
    await shopper.reload()
    await showsText(shopper, '#link', 'live', 5000)
    // The stream can be live before the cart is read back: both come within the time any change has to show.
    await showsText(shopper, '#cart-state', 'One unit is in your cart.')
    expect(await textOf(shopper, '#count')).toBe('9')
  })

  it('says why an add failed when another shopper took the last unit first', async () => {
    await server.close()
    server = await start({ TOTAL_INVENTORY: '1' })
    const [late] = windows as [Page]
    await late.goto(server.url)
    await showsText(late, '#count', '1', 5000)
    // Another shopper takes the unit; the page clicks before the change reaches it, in one task so that
    // no redraw can disable the button in between.
    expect((await postCart(server.url, 'quick', 'add')).status).toBe(200)
    await late.evaluate(() => {
      const add = document.getElementById('add') as HTMLButtonElement
      add.disabled = false
      add.click()
    })
    await showsText(late, '#message', 'Sold out: every unit is in a cart. One may come back.')
    await showsText(late, '#count', '0')
  })

  it('says so when a sale made in the shop took the unit in the cart', async () => {
    await server.close()
    const token = 'page-admin-token-0123456789abcdef0123'
    server = await start({ ADMIN_TOKEN: token })
    const [shopper] = windows as [Page]
    await shopper.goto(server.url)
    await showsText(shopper, '#link', 'live', 5000)
    await clickIn(shopper, '#add')
    await showsText(shopper, '#cart-state', 'One unit is in your cart.')
    const sale = await fetch(`${server.url}/admin/products/default/sales`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ quantity: 10, takeFromHolds: true }),
    })
    expect(sale.status).toBe(200)
    await showsText(
      shopper,
      '#message',
      'The unit in your cart was sold in the shop meanwhile, and taken from your cart.',
    )
    await showsText(shopper, '#count', '0')
    expect(await shopper.locator('#remove').isDisabled()).toBe(true)
  })

  it('shows reconnecting while the server is gone, then the fresh stock of a restarted one', async () => {
    const [shopper, watcher] = windows as [Page, Page]
    await clickIn(shopper, '#add')
    await showsText(watcher, '#count', '9')
    const { port } = new URL(server.url)

    await server.close()
    for (const page of [shopper, watcher]) await showsText(page, '#link', 'reconnecting…')
    server = await start({ PORT: port })

    // The in-memory stock began again: every window catches up, and the shopper's unit is gone with it.
    for (const page of [shopper, watcher]) await showsText(page, '#link', 'live', 5000)
    for (const page of [shopper, watcher]) expect(await textOf(page, '#count')).toBe('10')
    expect(await textOf(shopper, '#cart-state')).toBe('Your cart is empty.')
    expect(await shopper.locator('#remove').isEnabled()).toBe(false)
  })
})
