// @ts-check
// This tab's shop, whichever view draws it: the products it follows and their stock, this tab's cart, the
// changes it asks for, and how it stays live: the tab that leads follows the server and relays what it hears
// to the other tabs, which read the shop themselves when they open and then listen. A view only draws.
import { api, ApiError, loadSession, sendChange } from './api.js'
import { checkoutPanel } from './checkout.js'
import { lineRequests } from './line-requests.js'
import { stayLive } from './live.js'

/**
 * A product's stock as the shop lets shoppers see it: its level always, the counts as `STOCK_DISPLAY` shows them.
 * @typedef {{ sku: string, name: string, onHand?: number, held?: number, available?: number, level: 'in_stock' | 'low' | 'sold_out', version: number }} Product
 */
/** @typedef {{ epoch: string, version: number, products: Product[] }} Update */
/** @typedef {{ sku: string, quantity: number, holdExpiresInSeconds: number | null, lapsed: boolean, product: Product }} CartLine */
/** @typedef {{ quantity: number, endsAt: number | undefined, lapsed: boolean }} Line */

/**
 * What a product says of its stock: how many are left where the shop shows it, else its level.
 * @param {Product} product
 */
export function stockText({ available, level }) {
  if (level === 'sold_out') return 'Sold out'
  if (available === undefined) return level === 'low' ? 'Only a few left' : 'In stock'
  return level === 'low' ? `Only ${available} left` : `${available} left`
}

/**
 * What a view does with the shop: draw it, and say what became of the shopper's asks.
 * @typedef {object} View
 * @property {(shop: Shop) => void} render draws the whole shop as it is now; called on every change
 * @property {(sku: string, error: unknown) => void} refused says why a change to a line was not made
 * @property {() => void} changed says that a change was made, clearing what was said before
 * @property {(skus: string[]) => void} lapsed says that the holds of these products lapsed
 */

/**
 * @typedef {object} Shop
 * @property {Map<string, Product>} products what the tab knows of each product it follows
 * @property {Map<string, Line>} lines this tab's cart, by SKU
 * @property {(sku: string) => number} shownQuantity what a line holds as the shopper sees it: what they last asked for, or what the shop holds
 * @property {(sku: string) => boolean} busy whether a change to a line is on its way
 * @property {(sku: string, quantity: number) => void} setQuantity asks for `quantity` of a product, within what a session may hold
 */

/** Seconds after a hold's end before the tab reads its cart again: the server returns a hold within one. */
const LAPSE_CHECK_DELAY_MS = 1500

/**
 * @param {import('./app.js').Shell} shell the parts every view shares: the link, the transport, the tabs
 * @param {{ maxPerSession: number, skus: string }} options the cap on a line, and what to follow: `*` or a SKU
 * @param {View} view
 */
export function liveShop(shell, { maxPerSession, skus }, view) {
  let session = ''
  let epoch = ''
  let version = -1
  const requests = lineRequests(sendQuantity, () => render())
  const checkout = checkoutPanel({ session: () => session, sold: () => void loadCart().catch(() => {}) })

  /** @type {Shop} */
  const shop = {
    products: new Map(),
    lines: new Map(),
    shownQuantity: (sku) => requests.wanted(sku) ?? shop.lines.get(sku)?.quantity ?? 0,
    busy: (sku) => requests.wanted(sku) !== undefined,
    setQuantity: (sku, quantity) => requests.want(sku, Math.min(maxPerSession, Math.max(0, quantity))),
  }

  function render() {
    view.render(shop)
    // A lapsed line is sold too if its units are still there.
    checkout.show(shop.lines.size > 0)
  }

  /** @param {Product[]} products */
  function showProducts(products) {
    for (const product of products) shop.products.set(product.sku, product)
    render()
  }

  /**
   * @param {string} sku
   * @param {number} quantity
   * @param {number | null} holdExpiresInSeconds
   * @param {boolean} lapsed
   */
  function showLine(sku, quantity, holdExpiresInSeconds, lapsed) {
    if (quantity === 0) shop.lines.delete(sku)
    else
      shop.lines.set(sku, {
        quantity,
        endsAt: holdExpiresInSeconds === null ? undefined : Date.now() + holdExpiresInSeconds * 1000,
        lapsed,
      })
  }

  /** Reads this tab's cart afresh; gives the products whose hold lapsed since it was last read. */
  async function loadCart() {
    /** @type {{ lines: CartLine[] }} */
    const { lines } = await api(`/cart?session=${encodeURIComponent(session)}`)
    const heldBefore = [...shop.lines].filter(([, line]) => !line.lapsed).map(([sku]) => sku)
    shop.lines.clear()
    for (const line of lines) showLine(line.sku, line.quantity, line.holdExpiresInSeconds, line.lapsed)
    showProducts(lines.map((line) => line.product))
    return heldBefore.filter((sku) => shop.lines.get(sku)?.lapsed ?? true)
  }

  /** Reads what the tab follows and its cart afresh; gives the cursor to follow from. */
  async function loadAll() {
    /** @type {Update} */
    const catalog = await api('/products')
    epoch = catalog.epoch
    version = catalog.version
    shop.products.clear()
    showProducts(catalog.products.filter((product) => skus === '*' || product.sku === skus))
    await loadCart()
    return { epoch, version }
  }

  /**
   * Sends one line's quantity and shows the answer.
   * @param {string} sku
   * @param {number} quantity
   */
  async function sendQuantity(sku, quantity) {
    try {
      /** @type {{ line: { quantity: number, holdExpiresInSeconds: number | null }, product: Product }} */
      const { line, product } = await sendChange('/cart', { session, sku, action: 'set', quantity })
      showLine(sku, line.quantity, line.holdExpiresInSeconds, false)
      if (product.version >= (shop.products.get(sku)?.version ?? -1)) shop.products.set(sku, product)
      view.changed()
    } catch (error) {
      view.refused(sku, error instanceof ApiError || error instanceof Error ? error : new Error(String(error)))
    }
  }

  /**
   * Shows an update the server or the leader tab sent; one of another epoch means the stock began again,
   * and everything is read afresh.
   * @param {Update} update
   */
  function applyUpdate(update) {
    if (update.epoch !== epoch) return void loadAll().catch(() => {})
    if (update.version > version) version = update.version
    showProducts(
      update.products.filter((product) => product.version >= (shop.products.get(product.sku)?.version ?? -1)),
    )
  }

  // Holds count down every second; one that passed its end makes the tab read its cart again.
  setInterval(() => {
    const now = Date.now()
    const lapsing = [...shop.lines.values()].some(
      (line) => !line.lapsed && line.endsAt !== undefined && now >= line.endsAt + LAPSE_CHECK_DELAY_MS,
    )
    render()
    if (!lapsing || !session) return
    loadCart().then(
      (lapsed) => lapsed.length > 0 && view.lapsed(lapsed),
      () => {},
    )
  }, 1000)

  /** Reads this tab's session, and the order it made last, the first time it is needed. */
  async function ensureSession() {
    if (session) return
    session = await loadSession()
    void checkout.showLast()
  }

  return {
    shop,
    /** Follows the server, in the tab that leads, relaying every update to the other tabs. */
    lead() {
      void stayLive({
        transport: () => shell.transport,
        fallBackTo: (name) => shell.showTransport(name),
        skus,
        reload: async () => {
          await ensureSession()
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
    /** Reads the shop and this tab's cart, in a tab that follows the leader. */
    async follow() {
      await ensureSession()
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
