import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/start-server.js'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { postCart, useServers } from '../helpers/running-server.js'

/** A shop's own site on an origin of its own: a page with nothing on it, which the test's script runs in. */
async function storefront(): Promise<{ readonly origin: string; readonly server: Server }> {
  const server = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html>'))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  // localhost, not 127.0.0.1: another origin than stockpoll's, on the same machine.
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}`, server }
}

/** What a script on `page` reads of stockpoll's answers, or the error the browser gives it instead. */
const fromPage = <Result>(page: Page, script: (server: string) => Promise<Result>, server: string) =>
  page.evaluate(script, server)

describe.skipIf(!runBrowserTests)('a storefront on another origin', { timeout: 30_000 }, () => {
  const start = useServers()
  const context = useBrowserContext()
  const sites: Server[] = []
  afterEach(() => {
    for (const site of sites.splice(0)) site.close()
  })

  async function shopAndStockpoll(): Promise<{ allowed: Page; refused: Page; server: RunningServer }> {
    const [allowedSite, refusedSite] = [await storefront(), await storefront()]
    sites.push(allowedSite.server, refusedSite.server)
    const server = await start({ ALLOWED_ORIGINS: allowedSite.origin })
    const [allowed, refused] = [await context().newPage(), await context().newPage()]
    await allowed.goto(allowedSite.origin)
    await refused.goto(refusedSite.origin)
    return { allowed, refused, server }
  }

  it('reads the stock, holds a unit with a JSON request under an Idempotency-Key, and hears the change live', async () => {
    const { allowed, server } = await shopAndStockpoll()
    // The stream is open, its first event read, before the cart changes: the next event is the change.
    await fromPage(
      allowed,
      (url) =>
        new Promise<void>((resolve, reject) => {
          const heard: unknown[] = []
          Object.assign(window, { heard })
          const events = new EventSource(`${url}/events?skus=*`)
          events.addEventListener('products', (event) => {
            heard.push(JSON.parse(event.data))
            resolve()
          })
          events.onerror = () => reject(new Error('the stream failed'))
        }),
      server.url,
    )
    const read = await fromPage(
      allowed,
      async (url) => {
        const products = await (await fetch(`${url}/products`)).json()
        const add = () =>
          fetch(`${url}/cart`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'storefront-add-1' },
            body: JSON.stringify({ session: 'storefront-shopper', action: 'add' }),
          })
        const first = await add()
        const again = await add()
        return {
          products,
          added: { status: first.status, body: await first.json() },
          replayed: again.headers.get('Idempotent-Replayed'),
        }
      },
      server.url,
    )
    expect(read.products).toMatchObject({ products: [{ sku: 'default', available: 10 }] })
    expect(read.added).toMatchObject({ status: 200, body: { inCart: true, inventoryCount: 9 } })
    expect(read.replayed).toBe('true')
    // Polled on a timer: the page may be a background tab, where Chromium runs no animation frames.
    const heard = await allowed.waitForFunction(
      () => {
        const events = (window as unknown as { heard: { products: { available: number }[] }[] }).heard
        return events.length > 1 && events.at(-1)
      },
      undefined,
      { polling: 20, timeout: 5000 },
    )
    expect(await heard.jsonValue()).toMatchObject({ products: [{ sku: 'default', available: 9 }] })
  })

  it('lets a page on an origin not allowed read nothing and change nothing', async () => {
    const { refused, server } = await shopAndStockpoll()
    const outcomes = await fromPage(
      refused,
      async (url) => {
        const attempt = async (request: () => Promise<Response>) => {
          try {
            return `read ${(await request()).status}`
          } catch (error) {
            return (error as Error).name
          }
        }
        const stream = await new Promise<string>((resolve) => {
          const events = new EventSource(`${url}/events`)
          events.onopen = () => resolve('opened')
          events.onerror = () => {
            events.close()
            resolve('failed')
          }
        })
        return {
          products: await attempt(() => fetch(`${url}/products`)),
          poll: await attempt(() => fetch(`${url}/status?since=0&epoch=old`)),
          add: await attempt(() =>
            fetch(`${url}/cart`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ session: 'elsewhere', action: 'add' }),
            }),
          ),
          stream,
        }
      },
      server.url,
    )
    expect(outcomes).toEqual({ products: 'TypeError', poll: 'TypeError', add: 'TypeError', stream: 'failed' })
    // The refused page's add never reached a cart: the first add of all takes the tenth unit.
    expect(await (await postCart(server.url, 'checker', 'add')).json()).toMatchObject({ inventoryCount: 9 })
  })
})
