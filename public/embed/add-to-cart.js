// @ts-check
// <add-to-cart sku="…" quantity="1">: puts units in the shopper's cart (a session kept on the shop's own
// origin) and shows how many it holds and for how long. When it cannot add, it says why beside the button,
// which stays focusable (aria-disabled, not disabled) so that keyboard focus stays while a request runs.
import { ApiError, holdText } from '../client/index.js'
import { setText } from '../ui/dom.js'
import { part, shadowOf, stock, textOf } from './shared.js'

export class AddToCart extends HTMLElement {
  static observedAttributes = ['sku', 'quantity']
  #root = shadowOf(
    this,
    `<button type="button" part="button" aria-describedby="reason"></button>` +
      `<span class="reason" part="reason" id="reason"></span>` +
      `<span class="hold" part="hold"></span>` +
      `<span class="visually-hidden" role="status"></span>`,
  )
  #button = part(this.#root, 'button')
  #reason = part(this.#root, '.reason')
  #hold = part(this.#root, '.hold')
  #said = part(this.#root, '[role=status]')
  /** @type {(() => void)[]} */
  #undo = []

  constructor() {
    super()
    this.#button.addEventListener('click', () => this.#add())
  }

  get sku() {
    return this.getAttribute('sku') ?? ''
  }

  /** How many units one click adds. */
  get quantity() {
    const quantity = Number(this.getAttribute('quantity') ?? '1')
    return Number.isInteger(quantity) && quantity > 0 ? quantity : 1
  }

  connectedCallback() {
    if (!this.sku) return
    const render = () => this.#render()
    this.#undo.push(
      stock.watch([this.sku], render),
      stock.on('cart', render),
      stock.on('made', (sku) => sku === this.sku && this.#say(textOf(this, 'text-added', 'In your cart: {count}'))),
      stock.on('refused', ({ sku, error }) => sku === this.sku && this.#refused(error)),
      stock.on('taken', (taken) => {
        if (taken.some(({ sku }) => sku === this.sku))
          this.#say(textOf(this, 'text-taken', 'Sold elsewhere: {count} left in your cart'))
      }),
    )
    const ticking = setInterval(render, 1000)
    this.#undo.push(() => clearInterval(ticking))
    stock.cart.load().catch(() => {})
    render()
  }

  disconnectedCallback() {
    for (const undo of this.#undo.splice(0)) undo()
  }

  attributeChangedCallback() {
    if (!this.isConnected) return
    this.disconnectedCallback()
    this.connectedCallback()
  }

  /** Why a click cannot add now, if it cannot. */
  #whyNot() {
    const product = stock.products.get(this.sku)
    const max = stock.maxPerSession
    if (!product || max === undefined) return textOf(this, 'text-loading', 'Loading…')
    if (product.archived) return textOf(this, 'text-archived', 'No longer sold')
    if (product.level === 'sold_out') return textOf(this, 'text-sold-out', 'Sold out')
    if (stock.cart.shownQuantity(this.sku) + this.quantity > max) {
      return textOf(this, 'text-at-limit', 'At most {max} per cart').replaceAll('{max}', String(max))
    }
    return ''
  }

  #add() {
    if (this.#whyNot()) return
    stock.cart.setQuantity(this.sku, stock.cart.shownQuantity(this.sku) + this.quantity)
    this.#render()
  }

  #render() {
    const why = this.#whyNot()
    setText(this.#button, textOf(this, 'text-add', 'Add to cart'))
    this.#button.setAttribute('aria-disabled', String(why !== ''))
    this.#button.setAttribute('aria-busy', String(stock.cart.busy(this.sku)))
    setText(this.#reason, why)
    const line = stock.cart.lines.get(this.sku)
    setText(
      this.#hold,
      line === undefined
        ? ''
        : holdText(line, {
            held: textOf(this, 'text-held', '{count} in your cart, held for {time}'),
            kept: textOf(this, 'text-kept', '{count} in your cart'),
            lapsed: textOf(this, 'text-lapsed', 'Your hold lapsed'),
          }),
    )
  }

  /** @param {Error} error */
  #refused(error) {
    this.#say(
      error instanceof ApiError && error.code === 'sold_out'
        ? textOf(this, 'text-sold-out', 'Sold out')
        : error.message,
    )
  }

  /** @param {string} text */
  #say(text) {
    this.#said.textContent = text.replaceAll('{count}', String(stock.cart.shownQuantity(this.sku)))
  }
}
