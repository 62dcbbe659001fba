// @ts-check
// Checkout, in either view: a button that sells this tab's whole cart, and the order it made, kept across a
// reload. Every text goes in through textContent.
import { api, ApiError, element, newKey, sendChange } from './api.js'

const LAST_ORDER_KEY = 'stockpoll.lastOrder'
/**
 * The Idempotency-Key of a checkout not yet answered for sure, and when it was made: a reload sends it again
 * under the same key, which finds the order if the shop made it, rather than leave the shopper guessing.
 */
const PENDING_CHECKOUT_KEY = 'stockpoll.pendingCheckout'
/** How long the shop remembers an Idempotency-Key: a checkout older than this is not sent again. */
const KEY_KEPT_MS = 10 * 60 * 1000

/** @returns {{ key: string, at: number } | undefined} */
function pendingCheckout() {
  try {
    const pending = JSON.parse(sessionStorage.getItem(PENDING_CHECKOUT_KEY) ?? 'null')
    return pending && Date.now() - pending.at < KEY_KEPT_MS ? pending : undefined
  } catch {
    return undefined
  }
}

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

  /** Sends the pending checkout, or a new one, until the shop says for sure what became of it. */
  async function checkout() {
    if (busy) return
    busy = true
    render()
    const pending = pendingCheckout() ?? { key: newKey(), at: Date.now() }
    sessionStorage.setItem(PENDING_CHECKOUT_KEY, JSON.stringify(pending))
    try {
      /** @type {Order} */
      const order = await sendChange(
        '/checkout',
        { session: session() },
        {
          key: pending.key,
          onRetry: () => {
            view.message.textContent =
              'The shop did not answer in time, so it is not known yet whether your order was placed: asking ' +
              'again. It will not be placed twice.'
          },
        },
      )
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
      // Answered for sure, either way: the next checkout is a new one.
      sessionStorage.removeItem(PENDING_CHECKOUT_KEY)
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
    /**
     * Shows the last order this tab made, if the shop still has it; a checkout left unanswered by a reload is
     * sent again, to find out.
     */
    async showLast() {
      if (pendingCheckout()) return checkout()
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
