// @ts-check
// Checkout, in either view: a button that sells this tab's whole cart, and the order it made, kept across a
// reload. Every text goes in through textContent.
import { api, ApiError, element } from './api.js'

const LAST_ORDER_KEY = 'stockpoll.lastOrder'

/** @typedef {{ id: string, status: string, createdAt: string, lines: { sku: string, name: string, quantity: number }[] }} Order */

const view = {
  button: /** @type {HTMLButtonElement} */ (element('checkout')),
  message: element('checkout-message'),
  order: element('order'),
}

/**
 * @param {object} cart
 * @param {() => string} cart.session this tab's shopper id
 * @param {() => void} cart.sold reads the cart again, after a sale emptied it
 */
export function checkoutPanel({ session, sold }) {
  let filled = false
  let busy = false

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

  async function checkout() {
    busy = true
    render()
    try {
      /** @type {Order} */
      const order = await api('/checkout', {
        method: 'POST',
        // One key per click: a retry of this request by the browser or a proxy cannot sell the cart twice.
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ session: session() }),
      })
      sessionStorage.setItem(LAST_ORDER_KEY, order.id)
      showOrder(order)
      view.message.textContent = ''
      sold()
    } catch (error) {
      view.message.textContent =
        error instanceof ApiError && error.code === 'insufficient_stock'
          ? `Nothing was bought: ${error.message}.`
          : `Could not check out: ${error instanceof Error ? error.message : String(error)}`
    } finally {
      busy = false
      render()
    }
  }

  view.button.addEventListener('click', () => void checkout())

  return {
    /**
     * Whether the cart has anything to sell.
     * @param {boolean} hasLines
     */
    show(hasLines) {
      filled = hasLines
      render()
    },
    /** Shows the last order this tab made, if the shop still has it. */
    async showLast() {
      const id = sessionStorage.getItem(LAST_ORDER_KEY)
      if (!id) return
      try {
        showOrder(await api(`/orders/${encodeURIComponent(id)}?session=${encodeURIComponent(session())}`))
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) sessionStorage.removeItem(LAST_ORDER_KEY)
      }
    },
  }
}
