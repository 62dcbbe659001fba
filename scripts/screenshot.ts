// `npm run screenshot`: the catalog page as the README shows it, made again whenever the page changes. It
// serves the example catalog, has other shoppers take some stock, holds a few units in the page's own cart,
// and writes docs/catalog.png.
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config.js'
import { startServer } from '../src/start-server.js'
import { launchChromium } from '../test/helpers/launch-chromium.js'

const OUT = fileURLToPath(new URL('../docs/catalog.png', import.meta.url))
const CATALOG = fileURLToPath(new URL('../deploy/catalog.example.json', import.meta.url))

const server = await startServer(
  loadConfig({ PORT: '0', STORE: 'memory', CATALOG_FILE: CATALOG, MAX_PER_SESSION: '3', CART_TTL_SECONDS: '900' }),
)
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
  const page = await browser.newPage({ viewport: { width: 560, height: 720 }, deviceScaleFactor: 2 })
  await page.goto(server.url)
  await page.locator('#link[data-state="live"]').waitFor()
  for (const sku of ['tee-black-m', 'tee-black-m', 'cap-navy']) {
    await page.click(`li.product[data-sku="${sku}"] .more`)
    await page.locator(`li.product[data-sku="${sku}"] .more:not([disabled])`).waitFor()
  }
  await page.locator('#lines li[data-sku="cap-navy"]').waitFor()
  await page.screenshot({ path: OUT, fullPage: true })
  console.log(`wrote ${OUT}`)
} finally {
  await browser.close()
  await server.close()
}
