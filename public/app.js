// @ts-check
// The shop page: the live stock, pushed over Server-Sent Events, a WebSocket or the long poll
// (`?transport=`), through one connection per browser, all of it the client's (client/). One shop in either
// of two views: a shop of one product gets the classic view (classic.js), a catalog the catalog view
// (catalog.js), and `/p/<sku>` one product of it. No framework and no build step.
import { connect, TRANSPORTS } from './client/index.js'
import { retryDelay, sleep } from './client/http.js'
import { catalogView } from './catalog.js'
import { checkoutPanel } from './checkout.js'
import { classicView } from './classic.js'
import { element } from './ui/dom.js'
import { liveShop } from './shop.js'

const header = {
  title: element('title'),
  link: element('link'),
  transport: element('transport'),
  via: element('via'),
}

/** @param {boolean} live */
function showLink(live) {
  header.link.dataset.state = live ? 'live' : 'reconnecting'
  header.link.textContent = live ? 'live' : 'reconnecting…'
}

/**
 * The window's title: what the page shows, under the shop's name when it has one.
 * @param {string} shown
 * @param {string | undefined} shopName
 */
function titleOf(shown, shopName) {
  if (shopName === undefined) return `stockpoll: ${shown}`
  return shown === shopName ? shopName : `${shown} · ${shopName}`
}

/**
 * What the shop sells, read until the shop answers.
 * @param {import('./client/stockpoll.js').Stockpoll} stock
 */
async function loadShop(stock) {
  for (let failures = 1; ; failures++) {
    try {
      return await stock.shop()
    } catch (error) {
      showLink(false)
      await sleep(retryDelay(failures, error))
    }
  }
}

async function start() {
  const asked = new URLSearchParams(location.search)
  // Which transport carries the stock is for whoever debugs the page, not for shoppers.
  header.via.hidden = !asked.has('debug')
  const requested = TRANSPORTS.find((name) => name === asked.get('transport'))
  const stock = connect(requested === undefined ? {} : { transport: requested })
  const showTransport = () => {
    header.transport.textContent = stock.transport
    header.transport.dataset.role = stock.role
  }
  showTransport()
  stock.on('transport', showTransport)
  stock.on('link', showLink)
  const shop = await loadShop(stock)
  const only = /^\/p\/([^/]+)$/.exec(location.pathname)?.[1]
  const sku = only === undefined ? undefined : decodeURIComponent(only)
  const classic = shop.products.length === 1 && sku === undefined
  if (!classic) {
    element('classic').hidden = true
    element('catalog').hidden = false
    const product = shop.products.find((each) => each.sku === sku)
    header.title.textContent = product?.name ?? shop.shopName ?? 'The shop'
    element('back').hidden = sku === undefined
  }
  document.title = titleOf(header.title.textContent ?? '', shop.shopName)
  const view = classic ? classicView(shop.products[0]?.sku ?? '') : catalogView(shop, sku)
  const checkout = checkoutPanel(stock.cart, shop.checkout === 'backend')
  view.bind(liveShop(stock, view, () => checkout.show(stock.cart.lines.size > 0)))
  // The classic view follows its one product; the catalog, every product.
  stock.watch(classic ? [shop.products[0]?.sku ?? ''] : '*', () => {})
  await stock.cart.load().catch(() => {})
  void checkout.showLast()
}

void start()
