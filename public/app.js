// @ts-check
// The shop page: the live stock, pushed over Server-Sent Events, a WebSocket or the long poll
// (`?transport=`), through one connection per browser. One shop (shop.js) in either of two views: a shop of
// one product gets the classic view (classic.js), a catalog the catalog view (catalog.js), and `/p/<sku>`
// one product of it. No framework and no build step.
import { api, element, retryDelay, sleep } from './api.js'
import { catalogView } from './catalog.js'
import { classicView } from './classic.js'
import { TRANSPORTS } from './feeds.js'
import { liveShop } from './shop.js'
import { electLeader } from './tabs.js'

/**
 * What every view shares: the link and transport shown in the header, and this tab's place among the tabs.
 * `role` says whether this tab follows the server itself ('leader', or 'solo' without the APIs) or hears a
 * leader tab ('follower').
 * @typedef {object} Shell
 * @property {string} transport
 * @property {string} role
 * @property {(message: any) => void} relay sends a message to the shop's other tabs; set once this tab leads
 * @property {(live: boolean) => void} setLink shows the link as live or reconnecting, here and in the other tabs
 * @property {(name: string) => void} showTransport
 */

const header = {
  title: element('title'),
  link: element('link'),
  transport: element('transport'),
  via: element('via'),
}

let live = false

/** @param {boolean} isLive */
function showLink(isLive) {
  live = isLive
  header.link.dataset.state = isLive ? 'live' : 'reconnecting'
  header.link.textContent = isLive ? 'live' : 'reconnecting…'
}

/** @type {Shell} */
const shell = {
  transport: 'sse',
  role: 'follower',
  relay: () => {},
  setLink(isLive) {
    showLink(isLive)
    shell.relay({ type: 'link', live: isLive, transport: shell.transport })
  },
  showTransport(name) {
    shell.transport = name
    header.transport.textContent = name
    header.transport.dataset.role = shell.role
  },
}

/**
 * What the shop sells, read until the shop answers: the catalog, and the cap on a line.
 * @returns {Promise<{ maxPerSession: number, shopName?: string, products: { sku: string, name: string }[] }>}
 */
async function loadShop() {
  for (let failures = 1; ; failures++) {
    try {
      return await api('/products')
    } catch (error) {
      showLink(false)
      await sleep(retryDelay(failures, error))
    }
  }
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

async function start() {
  const asked = new URLSearchParams(location.search)
  // Which transport carries the stock is for whoever debugs the page, not for shoppers.
  header.via.hidden = !asked.has('debug')
  const requested = asked.get('transport')
  shell.showTransport(requested !== null && TRANSPORTS.includes(requested) ? requested : 'sse')
  const shop = await loadShop()
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
  // The classic view follows its one product; the catalog, every product.
  const shown = liveShop(
    shell,
    { maxPerSession: shop.maxPerSession, skus: classic ? (shop.products[0]?.sku ?? '') : '*' },
    view,
  )
  view.bind(shown.shop)
  // Tabs that asked for different transports, or show different views, keep to their own kind.
  const channel = electLeader(
    `stockpoll:${classic ? 'classic' : 'catalog'}:${shell.transport}`,
    (send, alone) => {
      shell.relay = send
      shell.role = alone ? 'solo' : 'leader'
      shell.showTransport(shell.transport)
      shown.lead()
    },
    (message) => {
      if (shell.role !== 'follower') {
        // A tab that just opened asks the leader for what it shows.
        if (message.type === 'hello') shell.relay({ type: 'link', live, transport: shell.transport })
      } else if (message.type === 'link') {
        shell.showTransport(message.transport)
        showLink(message.live)
      }
      shown.hear(message)
    },
  )
  if (shell.role !== 'follower') return
  try {
    await shown.follow()
  } catch {
    showLink(false)
  }
  channel?.postMessage({ type: 'hello' })
}

void start()
