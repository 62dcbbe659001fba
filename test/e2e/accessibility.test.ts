import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { accessibilityViolations } from '../helpers/axe.js'
import { catalogFile } from '../helpers/catalogs.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { clickIn, openTabs, showsText } from '../helpers/page.js'
import { useServers } from '../helpers/running-server.js'

const CATALOG = [
  { sku: 'tee', name: 'Tee', onHand: 10 },
  { sku: 'poster', name: 'Poster', onHand: 1 },
]

describe.skipIf(!runBrowserTests)("axe-core on stockpoll's own page", { timeout: 30_000 }, () => {
  const start = useServers()
  const context = useBrowserContext()

  it('finds nothing wrong with the classic page, empty or with a unit in the cart', async () => {
    const server = await start()
    const [page] = (await openTabs(context(), server.url, 1)) as [Page]
    expect(await accessibilityViolations(page)).toEqual([])
    await clickIn(page, '#add')
    await showsText(page, '#cart-state', 'One unit is in your cart.')
    expect(await accessibilityViolations(page)).toEqual([])
  })

  it('finds nothing wrong with the catalog, a product sold out and lines in the cart, nor with a product page', async () => {
    const server = await start({ CATALOG_FILE: catalogFile(CATALOG), MAX_PER_SESSION: '2' })
    const [page] = (await openTabs(context(), server.url, 1)) as [Page]
    await clickIn(page, 'li.product[data-sku="poster"] .more')
    await showsText(page, 'li.product[data-sku="poster"] .available', 'Sold out')
    expect(await accessibilityViolations(page)).toEqual([])
    await page.goto(`${server.url}/p/tee`)
    await showsText(page, '#title', 'Tee')
    expect(await accessibilityViolations(page)).toEqual([])
  })
})
