import type { Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/start-server.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { openTabs, shows, showsText, textOf } from '../helpers/page.js'
import { heldBy, postCart, useServers } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'

/** How soon a tab must take over when the leader closes. */
const TAKE_OVER_WITHIN_MS = 2000

const pushConnections = async (url: string) => {
  const { longPoll, sse, ws } = await heldBy(url)
  return longPoll + sse + ws
}

const roleOf = (page: Page) => page.locator('#transport').getAttribute('data-role')

describe.skipIf(!runBrowserTests)('the page across tabs and transports', { timeout: 30_000 }, () => {
  const start = useServers()
  const context = useBrowserContext()
  let server: RunningServer

  beforeEach(async () => {
    server = await start()
  })

  const openShopTabs = (count: number, query = '') => openTabs(context(), `${server.url}/${query}`, count)

  it('shows one live count in four tabs while the server holds one push connection for all of them', async () => {
    const tabs = await openShopTabs(4)
    expect(await Promise.all(tabs.map(roleOf))).toEqual(['leader', 'follower', 'follower', 'follower'])
    expect(await heldBy(server.url)).toEqual({ longPoll: 0, sse: 1, ws: 0 })

    for (let count = 9; count >= 7; count--) {
      expect((await postCart(server.url, `curl-${count}`, 'add')).status).toBe(200)
      await Promise.all(tabs.map((tab) => showsText(tab, '#count', String(count))))
    }
    expect(await pushConnections(server.url)).toBe(1)
    for (const tab of tabs) expect(await textOf(tab, '#transport')).toBe('sse')
  })

  it('keeps the other tabs updating within 2 s when the leader tab closes', async () => {
    const [leader, ...others] = await openShopTabs(4)
    await leader!.close()
    await eventually(async () => (await roleOf(others[0]!)) === 'leader', TAKE_OVER_WITHIN_MS)
    expect((await postCart(server.url, 'after-leader', 'add')).status).toBe(200)
    await Promise.all(others.map((tab) => showsText(tab, '#count', '9', TAKE_OVER_WITHIN_MS)))
    await eventually(async () => (await pushConnections(server.url)) === 1, TAKE_OVER_WITHIN_MS)
  })

  it('falls back to the WebSocket, then to the long poll, when each fails twice to open', async () => {
    // As a proxy that refuses streams and upgrades would: every other request still goes through.
    await context().route('**/events*', (route) => route.abort('connectionrefused'))
    await context().addInitScript(() => {
      const tries = { count: 0 }
      Object.assign(window, { socketTries: tries })
      window.WebSocket = class RefusedSocket extends EventTarget {
        onclose: ((event: Event) => void) | null = null
        constructor() {
          super()
          tries.count++
          setTimeout(() => this.onclose?.(new Event('close')))
        }
        close() {}
      } as unknown as typeof WebSocket
    })
    const [tab] = (await openShopTabs(1)) as [Page]
    await shows(tab, '#transport', { text: 'longpoll' }, 10_000)
    expect(await tab.evaluate(() => (window as unknown as { socketTries: { count: number } }).socketTries.count)).toBe(
      2,
    )
    await showsText(tab, '#link', 'live', 5000)
    expect((await postCart(server.url, 'curl', 'add')).status).toBe(200)
    await showsText(tab, '#count', '9')
    expect(await heldBy(server.url)).toMatchObject({ sse: 0, ws: 0 })
  })

  it('keeps a change a tab heard while its own read of the stock, older, was on its way', async () => {
    const [leader, next, last] = (await openShopTabs(3)) as [Page, Page, Page]
    // The last tab's next read of the stock is read now and answered only when the test says.
    let answerRead = () => {}
    const readHeld = new Promise<void>((resolve) => {
      let held = false
      void last.route('**/products', async (route) => {
        if (held) return route.continue()
        held = true
        const read = await route.fetch()
        resolve()
        await new Promise<void>((release) => (answerRead = release))
        await route.fulfill({ response: read })
      })
    })
    // The next leader reads the stock afresh and tells the other tabs to: the last tab's read is the held one.
    await leader.close()
    await readHeld
    expect((await postCart(server.url, 'meanwhile', 'add')).status).toBe(200)
    await Promise.all([next, last].map((tab) => showsText(tab, '#count', '9', TAKE_OVER_WITHIN_MS)))
    // The tab reads its cart once it has taken in the stock it read.
    const cartRead = last.waitForRequest((request) => new URL(request.url()).pathname === '/cart')
    answerRead()
    await cartRead
    expect(await textOf(last, '#count')).toBe('9')
  })

  it('waits the retryAfterMs each long-poll answer gives before it polls again', async () => {
    const { epoch, version } = (await (await fetch(`${server.url}/products`)).json()) as Record<string, unknown>
    const polledAt: number[] = []
    // Every poll is answered at once as a timed-out poll would be: nothing moved, and a time to wait.
    await context().route('**/status?*', (route) => {
      polledAt.push(Date.now())
      const timedOut = { epoch, version, products: [], retryAfterMs: 800 }
      return route.fulfill({ contentType: 'application/json', body: JSON.stringify(timedOut) })
    })
    await openShopTabs(1, '?transport=longpoll')
    await eventually(() => polledAt.length >= 4, 5000)
    const gaps = polledAt.slice(1).map((at, i) => at - polledAt[i]!)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(750)
  })

  it('counts down a hold, and says plainly when it lapsed and the unit went back', async () => {
    server = await start({ CART_TTL_SECONDS: '3' })
    const [tab] = (await openShopTabs(1)) as [Page]
    await tab.click('#add')
    await showsText(tab, '#cart-state', 'One unit is in your cart.')
    expect(await textOf(tab, '#hold')).toMatch(/^Held for you for 0:0[23]\.$/)
    await showsText(tab, '#count', '10', 6000)
    await showsText(
      tab,
      '#message',
      'Your hold lapsed: the unit went back to stock. Add it again if it is still there.',
      3000,
    )
    expect(await textOf(tab, '#cart-state')).toBe('Your cart is empty.')
    await shows(tab, '#hold', { hidden: true })
  })

  it.each([
    ['sse', 'sse'],
    ['ws', 'ws'],
    ['longpoll', 'longPoll'],
  ] as const)('works end to end over ?transport=%s', async (transport, counted) => {
    const [shopper, watcher] = (await openShopTabs(2, `?transport=${transport}`)) as [Page, Page]
    for (const tab of [shopper, watcher]) expect(await textOf(tab, '#transport')).toBe(transport)
    await eventually(async () => (await heldBy(server.url))[counted] === 1)

    await shopper.bringToFront()
    await shopper.click('#add')
    await Promise.all([shopper, watcher].map((tab) => showsText(tab, '#count', '9')))
    // The count may come by the push before the cart action's own answer, which says what the cart holds.
    await showsText(shopper, '#cart-state', 'One unit is in your cart.')
    expect((await postCart(server.url, 'curl', 'add')).status).toBe(200)
    await Promise.all([shopper, watcher].map((tab) => showsText(tab, '#count', '8')))
    expect(await pushConnections(server.url)).toBeLessThanOrEqual(1)
  })
})
