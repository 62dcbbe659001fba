// `npm run screenshot`: the pictures the README shows, made again whenever the pages change. It serves the
// example catalog, has other shoppers take some stock, holds a few units in the page's own cart, and writes
// docs/catalog.png (stockpoll's own page) and docs/storefront-1280.png and docs/storefront-390.png (the
// example storefront on its own origin, wide and on a phone).
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { startStorefront } from '../examples/storefront/server.js'
import { loadConfig } from '../src/config.js'
import { startServer } from '../src/start-server.js'
import { freePort } from '../test/helpers/free-port.js'
import { launchChromium } from '../test/helpers/launch-chromium.js'

const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url))
const CATALOG = fileURLToPath(new URL('../deploy/catalog.example.json', import.meta.url))

const storefrontPort = await freePort()
const server = await startServer(
  loadConfig({
    PORT: '0',
    STORE: 'memory',
    CATALOG_FILE: CATALOG,
    MAX_PER_SESSION: '3',
    CART_TTL_SECONDS: '900',
    ALLOWED_ORIGINS: `http://localhost:${storefrontPort}`,
  }),
)
const storefront = await startStorefront(server.url, storefrontPort)
const browser = await launchChromium()
try {
  const take = (session: string, sku: string, quantity: number) =>
    fetch(`${server.url}/cart`, {
      method: 'POST',
      body: new URLSearchParams({ session, sku, action: 'set', quantity: String(quantity) }),
    })
  // Other shoppers: the poster sells out, the hoodie runs low.
  for (const [session, sku, quantity] of [
    ['ann', 'poster-a2', 3],
    ['bob', 'hoodie-grey', 3],
    ['cat', 'hoodie-grey', 3],
    ['dan', 'hoodie-grey', 3],
    ['eve', 'tee-black-l', 2],
  ] as const) {
    await take(session, sku, quantity)
  }
  await shootCatalog(browser, server.url)
  for (const width of [1280, 390]) await shootStorefront(browser, storefront.url, width)
} finally {
  await browser.close()
  storefront.server.close()
  await server.close()
}

/** stockpoll's own page, with two tees and a cap in the cart. */
async function shootCatalog(browser: Browser, url: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 560, height: 720 }, deviceScaleFactor: 2 })
  await page.goto(url)
  await page.locator('#link[data-state="live"]').waitFor()
  for (const sku of ['tee-black-m', 'tee-black-m', 'cap-navy']) {
    await page.click(`li.product[data-sku="${sku}"] .more`)
    await page.locator(`li.product[data-sku="${sku}"] .more:not([disabled])`).waitFor()
  }
  await page.locator('#lines li[data-sku="cap-navy"]').waitFor()
  await page.screenshot({ path: docs('catalog.png'), fullPage: true })
  console.log(`wrote ${docs('catalog.png')}`)
  await page.close()
}

/** The example storefront `width` px wide, with a cap held in its cart. */
async function shootStorefront(browser: Browser, url: string, width: number): Promise<void> {
  const page = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 })
  await page.goto(url)
  await page.locator('stock-level[sku="poster-a2"] .level[data-level="sold_out"]').waitFor()
  await page.click('add-to-cart[sku="cap-navy"] button')
  await page.locator('stock-cart li[data-sku="cap-navy"]').waitFor()
  const path = docs(`storefront-${width}.png`)
  await page.screenshot({ path, fullPage: true })
  console.log(`wrote ${path}`)
  await page.close()
}
