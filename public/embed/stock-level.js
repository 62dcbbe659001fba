// @ts-check
// <stock-level sku="…">: what is left of a product, live. Its texts are the attributes' where given (any
// language); it announces only a crossing into low stock or sold out, not every count; while the link is
// down it keeps the last level it knew, marked as reconnecting, never a guess. Where the shop shows holds
// (`SHOW_HOLDS`), it also says what other carts hold, and when the next of their holds lapses.
import { OTHERS_TEXTS, othersText, STOCK_TEXTS, stockText } from '../client/index.js'
import { setText } from '../ui/dom.js'
/** @typedef {import('../client/stock-text.js').StockTexts} StockTexts */
import { part, shadowOf, stock, textOf } from './shared.js'

/** The attributes that override each text. */
const TEXT_ATTRIBUTES = /** @type {const} */ ({
  inStock: 'text-in-stock',
  inStockCount: 'text-in-stock-count',
  low: 'text-low',
  lowCount: 'text-low-count',
  soldOut: 'text-sold-out',
  archived: 'text-archived',
})

/** The element's own words: "In stock" where the page would say how many are left, since a shop's product
 * page often wants no more. */
const DEFAULT_TEXTS = { ...STOCK_TEXTS, inStockCount: STOCK_TEXTS.inStock }
const TEXT_KEYS = /** @type {(keyof StockTexts)[]} */ (Object.keys(TEXT_ATTRIBUTES))

export class StockLevel extends HTMLElement {
  static observedAttributes = ['sku']
  #root = shadowOf(
    this,
    `<span class="level" part="level"></span> <span class="status" part="status" hidden></span>` +
      `<span class="others" part="others" hidden></span><span class="visually-hidden" role="status"></span>`,
  )
  #level = part(this.#root, '.level')
  #others = part(this.#root, '.others')
  #status = part(this.#root, '.status')
  #said = part(this.#root, '[role=status]')
  /** @type {string | undefined} */
  #lastLevel
  /** @type {(() => void)[]} */
  #undo = []
  /** @type {import('../client/types.js').Product | undefined} */
  #product
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #ticking

  connectedCallback() {
    this.#follow()
  }

  disconnectedCallback() {
    for (const undo of this.#undo.splice(0)) undo()
    this.#tick(false)
  }

  attributeChangedCallback() {
    if (!this.isConnected) return
    this.disconnectedCallback()
    this.#follow()
  }

  #follow() {
    const sku = this.getAttribute('sku')
    if (!sku) return
    this.#lastLevel = undefined
    this.#product = undefined
    this.#level.textContent = ''
    this.#undo.push(
      stock.watch([sku], ([product]) => product && this.#show(product)),
      stock.on('link', (live) => this.#showLink(live)),
      stock.on('cart', () => this.#showOthers()),
    )
  }

  /** @param {import('../client/types.js').Product} product */
  #show(product) {
    const texts = /** @type {StockTexts} */ (
      Object.fromEntries(TEXT_KEYS.map((key) => [key, textOf(this, TEXT_ATTRIBUTES[key], DEFAULT_TEXTS[key])]))
    )
    const text = stockText(product, texts)
    this.#level.textContent = text
    this.#level.dataset.level = product.level
    this.setAttribute('level', product.level)
    // A crossing is news; the first level shown, or a count that moves within one, is not.
    if (this.#lastLevel !== undefined && product.level !== this.#lastLevel && product.level !== 'in_stock') {
      this.#said.textContent = text
    }
    this.#lastLevel = product.level
    // What the shopper's own cart holds is not in other carts: it is read once, where there is a cart to read.
    if (product.held !== undefined && this.#product === undefined && stock.cart.started) {
      stock.cart.load().catch(() => {})
    }
    this.#product = product
    this.#showOthers()
  }

  #showOthers() {
    if (!this.#product) return
    const text = othersText(this.#product, stock.cart.lines.get(this.#product.sku), {
      held: textOf(this, 'text-others', OTHERS_TEXTS.held),
      freesUp: textOf(this, 'text-others-free-up', OTHERS_TEXTS.freesUp),
    })
    setText(this.#others, text)
    this.#others.hidden = text === ''
    this.#tick(this.#product.nextLapseAt !== undefined && text !== '')
  }

  /** Redraws every second while a countdown is shown. @param {boolean} counting */
  #tick(counting) {
    if (counting && this.#ticking === undefined) this.#ticking = setInterval(() => this.#showOthers(), 1000)
    if (!counting && this.#ticking !== undefined) {
      clearInterval(this.#ticking)
      this.#ticking = undefined
    }
  }

  /** @param {boolean} live */
  #showLink(live) {
    this.toggleAttribute('reconnecting', !live)
    this.#status.hidden = live || this.#lastLevel === undefined
    this.#status.textContent = textOf(this, 'text-reconnecting', '(reconnecting…)')
  }
}
