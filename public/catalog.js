// @ts-check
// The catalog view, for a shop of many products: each product's name and what is left of it, a quantity to
// hold of each, and this tab's cart with each hold's countdown. `/p/<sku>` shows one product of it. Every
// text goes in through textContent.
import { ApiError, holdText, stockText } from './client/index.js'
import { element, setDisabled, setText } from './ui/dom.js'

/** @typedef {import('./client/types.js').Product} Product */
/** @typedef {import('./shop.js').Shop} Shop */

/** How a product's row is marked, by its level, for the style sheet. */
const ROW_STATES = { sold_out: 'sold-out', low: 'few', in_stock: 'plenty' }

const dom = {
  list: element('products'),
  lines: element('lines'),
  empty: element('cart-empty'),
  message: element('catalog-message'),
}

/**
 * @param {{ maxPerSession: number }} rules
 * @param {string | undefined} only the one product a product page shows
 * @returns {import('./shop.js').View & { bind: (shop: Shop) => void }}
 */
export function catalogView({ maxPerSession }, only) {
  /** @type {Shop | undefined} */
  let bound
  /** @type {Map<string, { row: HTMLElement, name: HTMLElement, left: HTMLElement, why: HTMLElement, quantity: HTMLElement, less: HTMLButtonElement, more: HTMLButtonElement }>} */
  const rows = new Map()
  /** The cart's lines as shown, by SKU, kept from one redraw to the next. @type {Map<string, { item: HTMLElement, what: HTMLElement, hold: HTMLElement }>} */
  const shownLines = new Map()

  /** @param {Product} product */
  function rowOf(product) {
    let row = rows.get(product.sku)
    if (row) return row
    const item = document.createElement('li')
    item.className = 'product'
    item.dataset.sku = product.sku
    const name = document.createElement(only ? 'span' : 'a')
    name.className = 'name'
    if (name instanceof HTMLAnchorElement) name.href = `/p/${encodeURIComponent(product.sku)}`
    const left = document.createElement('span')
    left.className = 'available'
    left.id = `available-${product.sku}`
    // Why + cannot be pressed, read out with it: the stock, and the cap on a line.
    const why = document.createElement('span')
    why.className = 'why'
    why.id = `why-${product.sku}`
    const control = document.createElement('span')
    control.className = 'quantity-control'
    const less = document.createElement('button')
    less.type = 'button'
    less.className = 'less'
    less.textContent = '−'
    less.setAttribute('aria-label', `one fewer ${product.name}`)
    const quantity = document.createElement('output')
    quantity.className = 'quantity'
    const more = document.createElement('button')
    more.type = 'button'
    more.className = 'more'
    more.textContent = '+'
    more.setAttribute('aria-label', `one more ${product.name}`)
    more.setAttribute('aria-describedby', `${left.id} ${why.id}`)
    const step = (/** @type {number} */ by) => bound?.setQuantity(product.sku, bound.shownQuantity(product.sku) + by)
    less.addEventListener('click', () => step(-1))
    more.addEventListener('click', () => step(1))
    control.append(less, quantity, more)
    item.append(name, left, control, why)
    dom.list.append(item)
    row = { row: item, name, left, why, quantity, less, more }
    rows.set(product.sku, row)
    return row
  }

  /**
   * @param {Shop} shop
   * @param {Product} product
   */
  function renderProduct(shop, product) {
    const { row, name, left, why, quantity, less, more } = rowOf(product)
    setText(name, product.name)
    setText(left, stockText(product))
    row.dataset.state = ROW_STATES[product.level]
    const shown = shop.shownQuantity(product.sku)
    row.setAttribute('aria-busy', String(shop.busy(product.sku)))
    setText(quantity, String(shown))
    const atCap = shown >= maxPerSession
    setDisabled([
      [less, shown === 0],
      [more, atCap || product.level === 'sold_out' || product.archived === true],
    ])
    setText(why, atCap && product.level !== 'sold_out' ? `At most ${maxPerSession} per cart` : '')
  }

  /** @param {string} sku */
  function lineItemOf(sku) {
    let shown = shownLines.get(sku)
    if (shown) return shown
    const item = document.createElement('li')
    item.className = 'line'
    item.dataset.sku = sku
    const what = document.createElement('span')
    const hold = document.createElement('span')
    hold.className = 'hold'
    item.append(what, hold)
    shown = { item, what, hold }
    shownLines.set(sku, shown)
    return shown
  }

  /**
   * Shows the cart's lines, changing only what changed: it is redrawn every second, for the countdowns.
   * @param {Shop} shop
   */
  function renderCart(shop) {
    /** @type {HTMLElement[]} */
    const items = []
    for (const [sku, line] of shop.lines) {
      const product = shop.products.get(sku)
      if (!product || (only && sku !== only)) continue
      const { item, what, hold } = lineItemOf(sku)
      setText(what, `${line.quantity} × ${product.name}`)
      item.toggleAttribute('data-lapsed', line.lapsed)
      setText(hold, holdText(line))
      items.push(item)
    }
    for (const [sku, { item }] of shownLines) {
      if (items.includes(item)) continue
      item.remove()
      shownLines.delete(sku)
    }
    items.forEach((item, place) => {
      if (dom.lines.children[place] !== item) dom.lines.insertBefore(item, dom.lines.children[place] ?? null)
    })
    dom.empty.hidden = items.length > 0
  }

  /** @param {string} sku */
  const nameOf = (sku) => bound?.products.get(sku)?.name ?? sku

  return {
    bind(shop) {
      bound = shop
    },
    render(shop) {
      for (const product of shop.products.values()) if (!only || product.sku === only) renderProduct(shop, product)
      renderCart(shop)
    },
    changed() {
      dom.message.textContent = ''
    },
    refused(sku, error) {
      dom.message.textContent =
        error instanceof ApiError && error.code === 'sold_out'
          ? `Not enough left of ${nameOf(sku)}: ${error.message}.`
          : `Could not change your cart: ${error instanceof Error ? error.message : String(error)}`
    },
    lapsed(skus) {
      dom.message.textContent = `Your hold lapsed and went back to stock: ${skus.map(nameOf).join(', ')}. Checkout still buys it if it is there.`
    },
    taken(taken) {
      const units = taken.map(({ sku, quantity }) => `${quantity} × ${nameOf(sku)}`).join(', ')
      dom.message.textContent = `Sold in the shop meanwhile, and taken from your cart: ${units}.`
    },
  }
}
