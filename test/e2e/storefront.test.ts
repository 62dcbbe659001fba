import { fileURLToPath } from 'node:url'
import type { ConsoleMessage, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { startStorefront, type Storefront } from '../../examples/storefront/server.js'
import type { RunningServer } from '../../src/start-server.js'
import { accessibilityViolations } from '../helpers/axe.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/free-port.js'
import { clickIn, shows, showsText } from '../helpers/page.js'
import { heldBy, postCart, useServers } from '../helpers/running-server.js'

const CATALOG = fileURLToPath(new URL('../../deploy/catalog.example.json', import.meta.url))

const level = (sku: string) => `stock-level[sku="${sku}"] >>> .level`
const addButton = (sku: string) => `add-to-cart[sku="${sku}"] >>> button`
const addPart = (sku: string, part: string) => `add-to-cart[sku="${sku}"] >>> .${part}`

/** Every push connection the server holds. */
const pushConnections = async (url: string) => {
  const { longPoll, sse, ws } = await heldBy(url)
  return longPoll + sse + ws
}

describe.skipIf(!runBrowserTests)(
  'the example storefront, on another origin than stockpoll',
  { timeout: 30_000 },
  () => {
    const start = useServers()
    const context = useBrowserContext()
    const storefronts: Storefront[] = []
    afterEach(() => {
      for (const { server } of storefronts.splice(0)) server.close()
    })

    /** stockpoll, and the storefront on `localhost`, which `ALLOWED_ORIGINS` names unless `allowed` is false. */
    async function shopAndStockpoll(
      env: Record<string, string> = {},
      allowed = true,
    ): Promise<{ storefront: Storefront; server: RunningServer }> {
      const port = await freePort()
      const origin = `http://localhost:${port}`
      const server = await start({
        CATALOG_FILE: CATALOG,
        // Other shoppers take several units at once.
        MAX_PER_SESSION: '5',
        ALLOWED_ORIGINS: allowed ? origin : 'https://another.example',
        ...env,
      })
      const storefront = await startStorefront(server.url, port)
      storefronts.push(storefront)
      return { storefront, server }
    }

    async function openStorefront(url: string): Promise<Page> {
      const page = await context().newPage()
      countSessions(page)
      await page.goto(url)
      await showsText(page, level('cap-navy'), 'In stock', 5000)
      return page
    }

    it('shows each level live in two windows, from "In stock" to "Only 4 left" to "Sold out"', async () => {
      const { storefront, server } = await shopAndStockpoll()
      const windows = [await openStorefront(storefront.url), await openStorefront(storefront.url)]
      expect((await postCart(server.url, 'pos', 'set', {}, { sku: 'cap-navy', quantity: '4' })).status).toBe(200)
      await Promise.all(windows.map((page) => showsText(page, level('cap-navy'), 'Only 4 left')))
      // Read out are the crossings into low stock and sold out, not every count.
      const said = 'stock-level[sku="cap-navy"] >>> [role=status]'
      await showsText(windows[0]!, said, 'Only 4 left')
      expect((await postCart(server.url, 'a', 'set', {}, { sku: 'cap-navy', quantity: '1' })).status).toBe(200)
      await showsText(windows[0]!, level('cap-navy'), 'Only 3 left')
      expect(await windows[0]!.locator(said).textContent()).toBe('Only 4 left')
      expect((await postCart(server.url, 'b', 'set', {}, { sku: 'cap-navy', quantity: '3' })).status).toBe(200)
      await Promise.all(windows.map((page) => showsText(page, level('cap-navy'), 'Sold out')))
      await showsText(windows[0]!, said, 'Sold out')
      // The shop's own words, where it gave them.
      await showsText(windows[0]!, level('poster-a2'), 'Last 3!')
    })

    it('holds a unit, counts its hold down, and disables the button with its reason once sold out', async () => {
      const { storefront, server } = await shopAndStockpoll()
      const page = await openStorefront(storefront.url)
      await clickIn(page, addButton('poster-a2'))
      await showsText(page, level('poster-a2'), 'Last 2!')
      // Four elements use the cart, all at once: one session for them all.
      expect(sessionsAskedBy.get(page)).toBe(1)
      // The hold's countdown, in seconds, once it shows one.
      const secondsLeft = async () => {
        const shown = /^1 in your cart, held for (\d+):(\d\d)$/.exec(
          (await page.locator(addPart('poster-a2', 'hold')).textContent()) ?? '',
        )
        return shown ? Number(shown[1]) * 60 + Number(shown[2]) : undefined
      }
      await eventually(async () => (await secondsLeft()) !== undefined)
      const before = (await secondsLeft())!
      await eventually(async () => ((await secondsLeft()) ?? before) < before, 2500)
      // Focus stays on the button the shopper pressed, through the request and the redraws after it.
      expect(await focusedIn(page, 'add-to-cart[sku="poster-a2"]')).toBe('BUTTON')
      expect((await postCart(server.url, 'other', 'set', {}, { sku: 'poster-a2', quantity: '2' })).status).toBe(200)
      await showsText(page, level('poster-a2'), 'Sold out')
      await showsText(page, addPart('poster-a2', 'reason'), 'Sold out')
      expect(await page.locator(addButton('poster-a2')).getAttribute('aria-disabled')).toBe('true')
      // A click on it anyway asks for nothing: an ask would mark it busy in the click's own task.
      const busyAfterClick = await page.evaluate(() => {
        const button = document.querySelector('add-to-cart[sku="poster-a2"]')!.shadowRoot!.querySelector('button')!
        button.click()
        return button.getAttribute('aria-busy')
      })
      expect(busyAfterClick).toBe('false')
    })

    it('says what other carts hold and when one may free up, with SHOW_HOLDS, and takes it back when it goes', async () => {
      const { storefront, server } = await shopAndStockpoll({ SHOW_HOLDS: 'true' })
      const page = await openStorefront(storefront.url)
      const others = 'stock-level[sku="cap-navy"] >>> .others'
      const textIn = async (selector: string) =>
        (await page.locator(selector.replace(' >>> ', ' ')).textContent()) ?? ''
      /** The countdown in seconds, where the text has one of its form. */
      const freesUpIn = async (count: number) => {
        const form = new RegExp(`^${count} in other carts — one may free up in (\\d+):(\\d\\d)$`)
        const shown = form.exec(await textIn(others))
        return shown ? Number(shown[1]) * 60 + Number(shown[2]) : undefined
      }
      expect((await postCart(server.url, 'other', 'set', {}, { sku: 'cap-navy', quantity: '2' })).status).toBe(200)
      await eventually(async () => (await freesUpIn(2)) !== undefined)
      const before = (await freesUpIn(2))!
      expect(before).toBeGreaterThan(14 * 60)
      // It counts down; and by then the other's hold began over two seconds before the shopper's will.
      await eventually(async () => ((await freesUpIn(2)) ?? before) <= before - 3, 4500)
      // The shopper's own unit is in no other cart; the other's hold still lapses first.
      await clickIn(page, addButton('cap-navy'))
      await eventually(async () => (await textIn(addPart('cap-navy', 'hold'))).startsWith('1 in your cart'))
      // Once the stock with the shopper's unit in it has come too.
      await eventually(async () => (await freesUpIn(2)) !== undefined)
      // The other cart lets go: nothing is in other carts.
      expect((await postCart(server.url, 'other', 'set', {}, { sku: 'cap-navy', quantity: '0' })).status).toBe(200)
      await shows(page, others, { hidden: true })
      // A later hold: the next to lapse is the shopper's own, so no countdown is told.
      expect((await postCart(server.url, 'late', 'set', {}, { sku: 'cap-navy', quantity: '1' })).status).toBe(200)
      await showsText(page, others, '1 in other carts')
    })

    it('tells the shopper and the shop\u2019s script when a sale made elsewhere took the unit in the cart', async () => {
      const token = 'storefront-admin-token-0123456789abcdef'
      const { storefront, server } = await shopAndStockpoll({ ADMIN_TOKEN: token })
      const page = await openStorefront(storefront.url)
      await page.evaluate(() => {
        document.addEventListener('hold-taken', (event) => {
          document.body.dataset.taken = JSON.stringify((event as CustomEvent).detail)
        })
      })
      await clickIn(page, addButton('poster-a2'))
      await showsText(page, level('poster-a2'), 'Last 2!')
      const sale = await fetch(`${server.url}/admin/products/poster-a2/sales`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ quantity: 3, takeFromHolds: true }),
      })
      expect(sale.status).toBe(200)
      await showsText(page, 'add-to-cart[sku="poster-a2"] >>> [role=status]', 'Sold elsewhere: 0 left in your cart')
      await shows(page, 'body[data-taken]', {})
      expect(JSON.parse((await page.locator('body').getAttribute('data-taken')) ?? 'null')).toEqual({
        taken: [{ sku: 'poster-a2', quantity: 1 }],
      })
      await showsText(page, addPart('poster-a2', 'hold'), '')
      await showsText(page, level('poster-a2'), 'Sold out')
    })

    it('checks out the cart and tells the shop\u2019s script the order, with the checkout event', async () => {
      const { storefront, server } = await shopAndStockpoll()
      const page = await openStorefront(storefront.url)
      await clickIn(page, addButton('hoodie-grey'))
      await shows(page, 'stock-cart >>> li[data-sku="hoodie-grey"]', {})
      // A Remove the keyboard is on keeps the focus while the countdowns tick.
      await page.bringToFront()
      await page.locator('stock-cart li[data-sku="hoodie-grey"] button').focus()
      const ticking = 'stock-cart >>> li[data-sku="hoodie-grey"] .hold'
      const before = await page.locator(ticking.replace(' >>> ', ' ')).textContent()
      await eventually(async () => (await page.locator(ticking.replace(' >>> ', ' ')).textContent()) !== before, 2500)
      expect(await focusedIn(page, 'stock-cart')).toBe('BUTTON')
      await clickIn(page, 'stock-cart >>> .checkout')
      // The shop's script writes what the event told it.
      const paying = /^Order (\S+): 1 item\(s\)/
      await eventually(async () => paying.test((await page.locator('#payment').textContent()) ?? ''))
      const id = paying.exec((await page.locator('#payment').textContent())!)![1]
      const session = await page.evaluate(() => sessionStorage.getItem('stockpoll.session'))
      const order = await fetch(`${server.url}/orders/${id}?session=${session}`)
      expect(await order.json()).toMatchObject({ status: 'placed', lines: [{ sku: 'hoodie-grey', quantity: 1 }] })
      await shows(page, 'stock-cart >>> .empty', { hidden: false })
    })

    it('shows no Check out button where only the shop\u2019s back end checks out', async () => {
      const backEnd = { CHECKOUT: 'backend', CHECKOUT_TOKEN: 'the-back-end-token-of-at-least-32-chars' }
      const { storefront } = await shopAndStockpoll(backEnd)
      const page = await openStorefront(storefront.url)
      await clickIn(page, addButton('cap-navy'))
      await shows(page, 'stock-cart >>> li[data-sku="cap-navy"]', {})
      await shows(page, 'stock-cart >>> .checkout', { hidden: true })
    })

    it('follows ten elements in three tabs over one connection, its watch set grown as elements come', async () => {
      const { storefront, server } = await shopAndStockpoll()
      const tabs = [
        await openStorefront(storefront.url),
        await openStorefront(storefront.url),
        await openStorefront(storefront.url),
      ]
      // Three more elements in the last tab, of products no element watched: ten in all on the page.
      await tabs[2]!.evaluate(() => {
        for (const sku of ['tee-black-m', 'tee-black-l', 'hoodie-grey']) {
          const element = document.createElement('stock-level')
          element.setAttribute('sku', sku)
          document.body.append(element)
        }
      })
      await showsText(tabs[2]!, level('tee-black-m'), 'In stock')
      expect((await postCart(server.url, 'pos', 'set', {}, { sku: 'tee-black-l', quantity: '3' })).status).toBe(200)
      expect((await postCart(server.url, 'pos', 'set', {}, { sku: 'tee-black-m', quantity: '3' })).status).toBe(200)
      await tabs[2]!.bringToFront()
      await showsText(tabs[2]!, 'stock-level[sku="tee-black-l"] >>> .level', 'In stock')
      await eventually(async () => (await pushConnections(server.url)) === 1)
      expect((await postCart(server.url, 'pos2', 'set', {}, { sku: 'cap-navy', quantity: '5' })).status).toBe(200)
      await Promise.all(tabs.map((tab) => showsText(tab, level('cap-navy'), 'Only 3 left', 2000)))
      expect(await pushConnections(server.url)).toBe(1)
    })

    it('keeps the last level it knew while stockpoll is unreachable, marked as reconnecting', async () => {
      const { storefront, server } = await shopAndStockpoll()
      const page = await openStorefront(storefront.url)
      await server.close()
      await shows(page, 'stock-level[sku="cap-navy"] >>> .status', { hidden: false }, 5000)
      expect(await page.locator(level('cap-navy')).textContent()).toBe('In stock')
      expect(await page.locator('stock-level[sku="cap-navy"]').getAttribute('reconnecting')).toBe('')
    })

    it('shows nothing for an unknown SKU and warns once in the console', async () => {
      const { storefront } = await shopAndStockpoll()
      const page = await context().newPage()
      const warnings = collect(page, 'warning')
      await page.goto(storefront.url)
      await page.evaluate(() => {
        for (let i = 0; i < 2; i++) {
          const element = document.createElement('stock-level')
          element.setAttribute('sku', 'no-such-thing')
          document.body.append(element)
        }
      })
      await showsText(page, level('cap-navy'), 'In stock', 5000)
      await eventually(async () => warnings.some((text) => text.includes('"no-such-thing"')))
      expect(warnings.filter((text) => text.includes('"no-such-thing"'))).toHaveLength(1)
      expect(await page.locator('stock-level[sku="no-such-thing"] >> nth=0 >> .level').textContent()).toBe('')
    })

    it('lets a page on an origin stockpoll does not allow read nothing, and says which setting to change', async () => {
      const { storefront, server } = await shopAndStockpoll({}, false)
      const page = await context().newPage()
      const errors = collect(page, 'error')
      await page.goto(storefront.url)
      await eventually(async () => errors.some((text) => text.includes('ALLOWED_ORIGINS')), 5000)
      expect(await page.locator(level('cap-navy')).textContent()).toBe('')
      expect(await pushConnections(server.url)).toBe(0)
    })

    it('has nothing axe-core finds wrong, with a line in the cart, a product sold out and other carts told', async () => {
      const { storefront, server } = await shopAndStockpoll({ SHOW_HOLDS: 'true' })
      const page = await openStorefront(storefront.url)
      await clickIn(page, addButton('cap-navy'))
      await shows(page, 'stock-cart >>> li[data-sku="cap-navy"]', {})
      expect((await postCart(server.url, 'pos', 'set', {}, { sku: 'poster-a2', quantity: '3' })).status).toBe(200)
      await showsText(page, level('poster-a2'), 'Sold out')
      await shows(page, 'stock-level[sku="poster-a2"] >>> .others', { hidden: false })
      expect(await accessibilityViolations(page)).toEqual([])
    })
  },
)

/** How many sessions each page asked stockpoll for. */
const sessionsAskedBy = new WeakMap<Page, number>()

function countSessions(page: Page): void {
  sessionsAskedBy.set(page, 0)
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/session') {
      sessionsAskedBy.set(page, (sessionsAskedBy.get(page) ?? 0) + 1)
    }
  })
}

/** The element that has the focus inside the shadow root of the element at `host`, by its tag. */
const focusedIn = (page: Page, host: string) =>
  page.evaluate((selector) => document.querySelector(selector)?.shadowRoot?.activeElement?.tagName, host)

/** What a page writes to its console at `type`, as it writes it. */
function collect(page: Page, type: ReturnType<ConsoleMessage['type']>): string[] {
  const texts: string[] = []
  page.on('console', (message) => message.type() === type && texts.push(message.text()))
  return texts
}
