// @ts-check
// Checkout, in either view: a button that sells this tab's whole cart, and the order it made, kept across a
// reload. The client keeps the checkout's Idempotency-Key until the shop says what became of it. Every text
// goes in through textContent.
import { ApiError } from './client/index.js'
import { element } from './ui/dom.js'

/** @typedef {import('./client/types.js').Order} Order */

/** Said while a checkout is sent again, its outcome not known. */
const UNDECIDED =
  'The shop did not answer in time, so it is not known yet whether your order was placed: asking ' +
  'again. It will not be placed twice.'

const view = {
  button: /** @type {HTMLButtonElement} */ (element('checkout')),
  message: element('checkout-message'),
  order: element('order'),
}

/**
 * @param {import('./client/cart.js').Cart} cart
 * @param {boolean} byBackEnd only the shop's back end checks out (`CHECKOUT=backend`): no button for shoppers
 */
export function checkoutPanel(cart, byBackEnd) {
  let filled = false
  let busy = false
  view.button.hidden = byBackEnd

  function render() {
    view.button.disabled = busy || !filled
  }

  /** @param {Order} order */
  function showOrder(order) {
    const title = document.createElement('h2')
    title.textContent = order.status === 'cancelled' ? 'Your order, cancelled' : 'Your order'
    const id = document.createElement('p')
    id.className = 'order-id'
    id.textContent = `${order.id}, ${new Date(order.createdAt).toLocaleString()}`
    const lines = document.createElement('ul')
    lines.className = 'lines'
    for (const line of order.lines) {
      const item = document.createElement('li')
      item.className = 'line'
      item.textContent = `${line.quantity} × ${line.name}`
      lines.append(item)
    }
    view.order.replaceChildren(title, id, lines)
    view.order.hidden = false
  }

  /** @param {unknown} error */
  function showRefusal(error) {
    view.message.textContent =
      error instanceof ApiError && error.code === 'insufficient_stock'
        ? `Nothing was bought: ${error.message}.`
        : `Could not check out: ${error instanceof Error ? error.message : String(error)}`
  }

  /**
   * Waits for a checkout the client sends until the shop says for sure what became of it.
   * @param {(options: { onRetry: () => void }) => Promise<Order | undefined>} send
   */
  async function checkout(send) {
    busy = true
    render()
    try {
      const order = await send({ onRetry: () => (view.message.textContent = UNDECIDED) })
      if (order) showOrder(order)
      view.message.textContent = ''
    } catch (error) {
      showRefusal(error)
    } finally {
      busy = false
      render()
    }
  }

  view.button.addEventListener('click', () => busy || void checkout((options) => cart.checkout(options)))

  return {
    /**
     * Whether the cart has anything to sell.
     * @param {boolean} hasLines
     */
    show(hasLines) {
      filled = hasLines
      render()
    },
    /**
     * Shows the last order this tab made, if the shop still has it; a checkout left unanswered by a reload is
     * sent again, to find out.
     */
    showLast: () => checkout((options) => cart.lastOrder(options)),
  }
}
