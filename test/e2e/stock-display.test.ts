import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { catalogFile } from '../helpers/catalogs.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { openTabs, shows, showsText } from '../helpers/page.js'
import { postCart, useServers } from '../helpers/running-server.js'

const product = (sku: string) => `li.product[data-sku="${sku}"] .available`

describe.skipIf(!runBrowserTests)('the page of a shop that shows levels, not counts', { timeout: 30_000 }, () => {
  const start = useServers()
  const context = useBrowserContext()

  it('says in stock, then only a few left, then sold out, live, with no count', async () => {
    const catalog = [
      { sku: 'mug', name: 'Mug', onHand: 7 },
      { sku: 'cap', name: 'Cap', onHand: 1 },
    ]
    const server = await start({ CATALOG_FILE: catalogFile(catalog), STOCK_DISPLAY: 'level', MAX_PER_SESSION: '5' })
    const [page] = (await openTabs(context(), server.url, 1)) as [Page]
    await showsText(page, product('mug'), 'In stock')
    await showsText(page, product('cap'), 'Only a few left')
    expect((await postCart(server.url, 'other', 'set', {}, { sku: 'mug', quantity: '2' })).status).toBe(200)
    await showsText(page, product('mug'), 'Only a few left')
    expect((await postCart(server.url, 'other', 'add', {}, { sku: 'cap' })).status).toBe(200)
    await showsText(page, product('cap'), 'Sold out')
    expect(await page.locator('main').textContent()).not.toMatch(/\d+ left/)
  })

  it('shows the classic product as in stock, with no count', async () => {
    const server = await start({ STOCK_DISPLAY: 'level' })
    const [page] = (await openTabs(context(), server.url, 1)) as [Page]
    await showsText(page, '#level', 'In stock')
    await shows(page, '#counts', { hidden: true })
  })
})
