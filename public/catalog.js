// @ts-check
// The catalog view, for a shop of many products: each product's name and what is left of it, a quantity to
// hold of each, and this tab's cart with each hold's countdown. `/p/<sku>` shows one product of it. Every
// text goes in through textContent.
import { api, ApiError, element, loadSession, sendChange, setText, timeLeft } from './api.js'
import { checkoutPanel } from './checkout.js'
import { lineRequests } from './line-requests.js'
import { stayLive } from './live.js'

/** @typedef {{ sku: string, name: string, onHand: number, held: number, available: number, version: number }} Product */
/** @typedef {{ epoch: string, version: number, products: Product[] }} Update */
/** @typedef {{ sku: string, quantity: number, holdExpiresInSeconds: number | null, lapsed: boolean, product: Product }} CartLine */
/** @typedef {{ quantity: number, endsAt: number | undefined, lapsed: boolean }} Line */

/** At or under this many left, a product says "Only N left". */
const FEW_LEFT = 3

/** Seconds after a hold's end before the tab reads its cart again: the server returns a hold within one. */
const LAPSE_CHECK_DELAY_MS = 1500

const view = {
  list: element('products'),
  lines: element('lines'),
  empty: element('cart-empty'),
  message: element('catalog-message'),
}

/**
 * What a product says of its stock.
 * @param {number} available
 */
const leftText = (available) =>
  available === 0 ? 'Sold out' : available <= FEW_LEFT ? `Only ${available} left` : `${available} left`

/**
 * @param {import('./app.js').Shell} shell the parts every view shares: the link, the transport, the tabs
 * @param {{ maxPerSession: number }} rules
 * @param {string | undefined} only the one product a product page shows
 */
export function catalogView(shell, { maxPerSession }, only) {
  const state = {
    session: '',
    epoch: '',
    version: -1,
    /** @type {Map<string, Product>} */
    products: new Map(),
    /** @type {Map<string, Line>} */
    lines: new Map(),
  }
  /** @type {Map<string, { row: HTMLElement, left: HTMLElement, quantity: HTMLElement, less: HTMLButtonElement, more: HTMLButtonElement }>} */
  const rows = new Map()
  /** The cart's lines as shown, by SKU, kept from one redraw to the next. @type {Map<string, { item: HTMLElement, what: HTMLElement, hold: HTMLElement }>} */
  const shownLines = new Map()
  const checkout = checkoutPanel({ session: () => state.session, sold: () => void loadCart().catch(() => {}) })
  const requests = lineRequests(sendQuantity, () => render())

  /**
   * The quantity of a line as the shopper sees it: what they last asked for, or what the shop holds.
   * @param {string} sku
   */
  const shownQuantity = (sku) => requests.wanted(sku) ?? state.lines.get(sku)?.quantity ?? 0

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
    less.addEventListener('click', () => setQuantity(product.sku, shownQuantity(product.sku) - 1))
    more.addEventListener('click', () => setQuantity(product.sku, shownQuantity(product.sku) + 1))
    control.append(less, quantity, more)
    item.append(name, left, control)
    view.list.append(item)
    row = { row: item, left, quantity, less, more }
    rows.set(product.sku, row)
    return row
  }

  /** @param {Product} product */
  function renderProduct(product) {
    const { row, left, quantity, less, more } = rowOf(product)
    setText(/** @type {HTMLElement} */ (row.querySelector('.name')), product.name)
    setText(left, leftText(product.available))
    row.dataset.state = product.available === 0 ? 'sold-out' : product.available <= FEW_LEFT ? 'few' : 'plenty'
    const shown = shownQuantity(product.sku)
    row.setAttribute('aria-busy', String(requests.wanted(product.sku) !== undefined))
    setText(quantity, String(shown))
    less.disabled = shown === 0
    more.disabled = shown >= maxPerSession || product.available === 0
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

  /** Shows the cart's lines, changing only what changed: it is redrawn every second, for the countdowns. */
  function renderCart() {
    /** @type {HTMLElement[]} */
    const items = []
    for (const [sku, line] of state.lines) {
      const product = state.products.get(sku)
      if (!product || (only && sku !== only)) continue
      const { item, what, hold } = lineItemOf(sku)
      setText(what, `${line.quantity} × ${product.name}`)
      item.toggleAttribute('data-lapsed', line.lapsed)
      setText(
        hold,
        line.lapsed
          ? 'hold lapsed: bought at checkout if still there'
          : line.endsAt === undefined
            ? ''
            : `held for ${timeLeft(line.endsAt)}`,
      )
      items.push(item)
    }
    for (const [sku, { item }] of shownLines) {
      if (items.includes(item)) continue
      item.remove()
      shownLines.delete(sku)
    }
    items.forEach((item, place) => {
      if (view.lines.children[place] !== item) view.lines.insertBefore(item, view.lines.children[place] ?? null)
    })
    view.empty.hidden = items.length > 0
    checkout.show(state.lines.size > 0)
  }

  function render() {
    for (const product of state.products.values()) if (!only || product.sku === only) renderProduct(product)
    renderCart()
  }

  /** @param {Product[]} products */
  function showProducts(products) {
    for (const product of products) state.products.set(product.sku, product)
    render()
  }

  /**
   * @param {string} sku
   * @param {number} quantity
   * @param {number | null} holdExpiresInSeconds
   * @param {boolean} lapsed
   */
  function showLine(sku, quantity, holdExpiresInSeconds, lapsed) {
    if (quantity === 0) state.lines.delete(sku)
    else
      state.lines.set(sku, {
        quantity,
        endsAt: holdExpiresInSeconds === null ? undefined : Date.now() + holdExpiresInSeconds * 1000,
        lapsed,
      })
  }

  /** Reads this tab's cart afresh; gives the products whose hold lapsed since it was last read. */
  async function loadCart() {
    /** @type {{ lines: CartLine[] }} */
    const { lines } = await api(`/cart?session=${encodeURIComponent(state.session)}`)
    const heldBefore = [...state.lines].filter(([, line]) => !line.lapsed).map(([sku]) => sku)
    state.lines.clear()
    for (const line of lines) showLine(line.sku, line.quantity, line.holdExpiresInSeconds, line.lapsed)
    const lapsed = heldBefore.filter((sku) => state.lines.get(sku)?.lapsed ?? true)
    showProducts(lines.map((line) => line.product))
    return lapsed
  }

  /** Reads the whole catalog and this tab's cart afresh; gives the cursor to follow from. */
  async function loadAll() {
    /** @type {Update} */
    const catalog = await api('/products')
    state.epoch = catalog.epoch
    state.version = catalog.version
    state.products.clear()
    showProducts(catalog.products)
    await loadCart()
    return { epoch: state.epoch, version: state.version }
  }

  /**
   * Asks for `quantity` of a product, within what a session may hold.
   * @param {string} sku
   * @param {number} quantity
   */
  function setQuantity(sku, quantity) {
    requests.want(sku, Math.min(maxPerSession, Math.max(0, quantity)))
  }

  /**
   * Sends one line's quantity and shows the answer.
   * @param {string} sku
   * @param {number} quantity
   */
  async function sendQuantity(sku, quantity) {
    try {
      /** @type {{ line: { quantity: number, holdExpiresInSeconds: number | null }, product: Product }} */
      const { line, product } = await sendChange('/cart', { session: state.session, sku, action: 'set', quantity })
      showLine(sku, line.quantity, line.holdExpiresInSeconds, false)
      if (product.version >= (state.products.get(sku)?.version ?? -1)) state.products.set(sku, product)
      view.message.textContent = ''
    } catch (error) {
      view.message.textContent =
        error instanceof ApiError && error.code === 'sold_out'
          ? `Not enough left of ${state.products.get(sku)?.name ?? sku}: ${error.message}.`
          : `Could not change your cart: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  /**
   * Shows an update the server or the leader tab sent; one of another epoch means the stock began again,
   * and everything is read afresh.
   * @param {Update} update
   * @returns {boolean} whether it was of another epoch
   */
  function applyUpdate(update) {
    if (update.epoch !== state.epoch) {
      loadAll().catch(() => {})
      return true
    }
    if (update.version > state.version) state.version = update.version
    showProducts(
      update.products.filter((product) => product.version >= (state.products.get(product.sku)?.version ?? -1)),
    )
    return false
  }

  // Holds count down every second; one that passed its end makes the tab read its cart again.
  setInterval(() => {
    const now = Date.now()
    const lapsing = [...state.lines.values()].some(
      (line) => !line.lapsed && line.endsAt !== undefined && now >= line.endsAt + LAPSE_CHECK_DELAY_MS,
    )
    renderCart()
    if (!lapsing || !state.session) return
    loadCart().then(
      (lapsed) => {
        const names = lapsed.map((sku) => state.products.get(sku)?.name ?? sku)
        if (names.length > 0)
          view.message.textContent = `Your hold lapsed and went back to stock: ${names.join(', ')}. Checkout still buys it if it is there.`
      },
      () => {},
    )
  }, 1000)

  return {
    /** Follows the whole catalog, in the tab that leads, relaying every update to the other tabs. */
    lead() {
      void stayLive({
        transport: () => shell.transport,
        fallBackTo: (name) => shell.showTransport(name),
        skus: '*',
        reload: async () => {
          if (!state.session) {
            state.session = await loadSession()
            void checkout.showLast()
          }
          const cursor = await loadAll()
          shell.relay({ type: 'reset' })
          return cursor
        },
        apply: (/** @type {Update} */ update) => {
          applyUpdate(update)
          shell.relay({ type: 'update', update })
        },
        setLink: (live) => shell.setLink(live),
      })
    },
    /** Reads the catalog and this tab's cart, in a tab that follows the leader. */
    async follow() {
      state.session = await loadSession()
      void checkout.showLast()
      await loadAll()
    },
    /**
     * What the leader tells the tabs that follow it.
     * @param {any} message
     */
    hear(message) {
      if (shell.role !== 'follower') return
      if (message.type === 'reset') loadAll().catch(() => {})
      else if (message.type === 'update') applyUpdate(message.update)
    },
  }
}
