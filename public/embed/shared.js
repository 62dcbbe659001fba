// @ts-check
// What every drop-in element on a page shares: one client of the stockpoll this script came from (one
// connection, one watch set, shared with the page's other tabs), the page-wide DOM events, and the look.
import { connect } from '../client/index.js'

/** The stockpoll that served this script: its URL, less the script's own path (and its version, if any). */
const server = new URL(import.meta.url.replace(/(\/v\/[^/]+)?\/embed\/[^/]+$/, '/'))

export const stock = connect({ server })

/**
 * Tells the shop's own script what happened, as a DOM event on `document`.
 * @param {'stock-change' | 'cart-change' | 'hold-expired' | 'hold-taken' | 'checkout'} type
 * @param {unknown} detail
 */
export const announce = (type, detail) => document.dispatchEvent(new CustomEvent(type, { detail }))

stock.on('stock', (products) => announce('stock-change', { products }))
stock.on('cart', () => announce('cart-change', { lines: Object.fromEntries(stock.cart.lines) }))
stock.on('lapsed', (skus) => announce('hold-expired', { skus }))
stock.on('taken', (taken) => announce('hold-taken', { taken }))
stock.on('checkout', (order) => announce('checkout', { order }))
void explainUnreadable()

/**
 * Says, once for the page, why it cannot read the stock, where that is the shop's setting: a stockpoll that
 * answers, but not this page's origin.
 */
async function explainUnreadable() {
  try {
    await stock.shop()
  } catch (error) {
    if (!(error instanceof TypeError)) return
    // A request the page may not read still goes out: its answer, unread, says the server is there.
    const there = await fetch(new URL('healthz', server), { mode: 'no-cors' }).then(
      () => true,
      () => false,
    )
    if (there) {
      console.error(
        `stockpoll at ${server.href} does not let ${location.origin} read it: add ${location.origin} to its ALLOWED_ORIGINS`,
      )
    }
  }
}

/**
 * The text an attribute overrides, else the default.
 * @param {Element} element
 * @param {string} name
 * @param {string} fallback
 */
export const textOf = (element, name, fallback) => element.getAttribute(name) ?? fallback

/** The elements' look: the shop's fonts and colours, changed by CSS custom properties and `::part()`. */
export const STYLE = `
:host { font: inherit; color: inherit; }
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
.level[data-level='low'] { color: var(--stockpoll-low-color, #8a4b00); }
.level[data-level='sold_out'] { color: var(--stockpoll-sold-out-color, #a10000); }
.status { font-size: 0.85em; opacity: 0.8; }
button {
  font: inherit;
  min-width: 44px;
  min-height: 44px;
  padding: 0.4em 1em;
  border-radius: var(--stockpoll-radius, 6px);
  border: 1px solid var(--stockpoll-accent, #1d4ed8);
  background: var(--stockpoll-accent, #1d4ed8);
  color: var(--stockpoll-on-accent, #fff);
  cursor: pointer;
}
button[aria-disabled='true'] { opacity: 0.55; cursor: not-allowed; }
.quiet { background: transparent; color: var(--stockpoll-accent, #1d4ed8); }
.reason, .hold, .others { display: block; font-size: 0.9em; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
ul { list-style: none; margin: 0; padding: 0; }
li { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; padding: 0.25em 0; }
`

/**
 * A shadow root with the elements' look and this HTML.
 * @param {HTMLElement} host
 * @param {string} html
 */
export function shadowOf(host, html) {
  const root = host.attachShadow({ mode: 'open' })
  root.innerHTML = `<style>${STYLE}</style>${html}`
  return root
}

/**
 * The element of this shadow root that `selector` names, which its HTML always has.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {ShadowRoot} root
 * @param {string} selector
 * @returns {T}
 */
export function part(root, selector) {
  const found = root.querySelector(selector)
  if (!found) throw new Error(`no ${selector}`)
  return /** @type {T} */ (found)
}
