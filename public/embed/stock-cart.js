// @ts-check
// <stock-cart>: the shopper's cart, each line with its hold's countdown and a button to take it out, and a
// checkout button. A checkout's order goes to the shop's script as the `checkout` event on `document`, so
// that the shop can take payment its own way.
import { ApiError, HOLD_TEXTS, holdText } from '../client/index.js'
import { setText } from '../ui/dom.js'
import { part, shadowOf, stock, textOf } from './shared.js'

export class StockCart extends HTMLElement {
  #root = shadowOf(
    this,
    `<p class="empty" part="empty"></p><ul part="lines"></ul>` +
      `<button type="button" part="checkout" class="checkout"></button>` +
      `<p class="message" part="message" role="status"></p>`,
  )
  #empty = part(this.#root, '.empty')
  #lines = part(this.#root, 'ul')
  #checkout = part(this.#root, '.checkout')
  #message = part(this.#root, '.message')
  /** @type {(() => void)[]} */
  #undo = []
  /** The products of the lines, watched for their names and stock. */
  #watched = ''
  #unwatch = () => {}
  #busy = false
  /** Only the shop's back end checks out (`CHECKOUT=backend`): the button is not the shopper's. */
  #byBackEnd = false
  /** The lines as shown, by SKU. @type {Map<string, { item: HTMLElement, what: HTMLElement, hold: HTMLElement, remove: HTMLElement }>} */
  #items = new Map()

  constructor() {
    super()
    this.#checkout.addEventListener('click', () => void this.#sell())
    this.#lines.addEventListener('click', (event) => {
      const sku = event.target instanceof HTMLElement ? event.target.closest('li')?.dataset.sku : undefined
      if (sku !== undefined) stock.cart.setQuantity(sku, 0)
    })
  }

  connectedCallback() {
    const render = () => this.#render()
    this.#undo.push(stock.on('cart', render), stock.on('stock', render))
    const ticking = setInterval(render, 1000)
    this.#undo.push(
      () => clearInterval(ticking),
      () => this.#unwatch(),
    )
    stock.cart.load().catch(() => {})
    stock.shop().then(
      (shop) => {
        this.#byBackEnd = shop.checkout === 'backend'
        render()
      },
      () => {},
    )
    render()
  }

  disconnectedCallback() {
    for (const undo of this.#undo.splice(0)) undo()
    this.#watched = ''
  }

  #render() {
    const skus = [...stock.cart.lines.keys()]
    if (skus.join(',') !== this.#watched) {
      this.#unwatch()
      this.#watched = skus.join(',')
      this.#unwatch = skus.length > 0 ? stock.watch(skus, () => {}) : () => {}
    }
    setText(this.#empty, textOf(this, 'text-empty', 'Your cart is empty.'))
    this.#empty.hidden = skus.length > 0
    for (const [sku, { item }] of this.#items) {
      if (skus.includes(sku)) continue
      item.remove()
      this.#items.delete(sku)
    }
    // Redrawn every second for the countdowns: the items stay, only their texts change, so that a focused
    // Remove keeps its focus.
    skus.forEach((sku, place) => {
      const { item, what, hold, remove } = this.#itemOf(sku)
      const line = /** @type {import('../client/cart.js').Line} */ (stock.cart.lines.get(sku))
      const name = stock.products.get(sku)?.name ?? sku
      setText(what, `${line.quantity} × ${name}`)
      setText(
        hold,
        holdText(line, {
          held: textOf(this, 'text-held', HOLD_TEXTS.held),
          kept: HOLD_TEXTS.kept,
          lapsed: textOf(this, 'text-lapsed', HOLD_TEXTS.lapsed),
        }),
      )
      remove.setAttribute('aria-label', `${remove.textContent}: ${name}`)
      if (this.#lines.children[place] !== item) this.#lines.insertBefore(item, this.#lines.children[place] ?? null)
    })
    setText(this.#checkout, textOf(this, 'text-checkout', 'Check out'))
    this.#checkout.hidden = skus.length === 0 || this.#byBackEnd
    this.#checkout.setAttribute('aria-disabled', String(this.#busy))
  }

  /** @param {string} sku */
  #itemOf(sku) {
    let shown = this.#items.get(sku)
    if (shown) return shown
    const item = document.createElement('li')
    item.dataset.sku = sku
    item.setAttribute('part', 'line')
    const what = document.createElement('span')
    const hold = document.createElement('span')
    hold.className = 'hold'
    hold.setAttribute('part', 'hold')
    const remove = document.createElement('button')
    remove.type = 'button'
    remove.className = 'quiet'
    remove.setAttribute('part', 'remove')
    remove.textContent = textOf(this, 'text-remove', 'Remove')
    item.append(what, hold, remove)
    shown = { item, what, hold, remove }
    this.#items.set(sku, shown)
    return shown
  }

  async #sell() {
    if (this.#busy) return
    this.#busy = true
    this.#render()
    try {
      const order = await stock.cart.checkout({
        onRetry: () => (this.#message.textContent = textOf(this, 'text-undecided', 'Placing your order…')),
      })
      this.#message.textContent = textOf(this, 'text-ordered', 'Order {id} placed.').replaceAll('{id}', order.id)
    } catch (error) {
      this.#message.textContent =
        error instanceof ApiError && error.code === 'insufficient_stock'
          ? `${textOf(this, 'text-not-bought', 'Nothing was bought')}: ${error.message}.`
          : error instanceof Error
            ? error.message
            : String(error)
    } finally {
      this.#busy = false
      this.#render()
    }
  }
}
