// @ts-check
// The orders still placed, newest first, each of which can be cancelled: its units go back on hand.
import { element } from '../ui/dom.js'
import { itemWithAction } from './controls.js'

/** @typedef {{ id: string, createdAt: string, lines: { sku: string, name: string, quantity: number }[] }} Order */

/** The most orders read, a page at a time, and shown. */
const MOST_READ = 1000
const MOST_SHOWN = 50

/** @param {import('./api.js').AdminApi} api */
export function ordersList(api) {
  const list = element('orders')
  const empty = element('orders-empty')
  const message = element('orders-message')

  /** @param {Order} order */
  const itemOf = (order) =>
    itemWithAction({
      text: `${new Date(order.createdAt).toLocaleString()}: ${order.lines
        .map(({ name, quantity }) => `${quantity} × ${name}`)
        .join(', ')}`,
      button: 'Cancel',
      label: `Cancel order ${order.id}`,
      act: async () => {
        await api.change(`admin/orders/${encodeURIComponent(order.id)}/cancel`)
        return `Cancelled order ${order.id}: its units are back on hand.`
      },
      message,
      after: () => orders.refresh(),
    })

  const orders = {
    async refresh() {
      /** @type {Order[]} */
      const placed = []
      /** @type {string | null} */
      let next = null
      do {
        const after = next === null ? '' : `&after=${encodeURIComponent(next)}`
        const page = /** @type {{ orders: Order[], next: string | null }} */ (
          await api.get(`admin/orders?status=placed&limit=${MOST_SHOWN}${after}`)
        )
        placed.push(...page.orders)
        next = page.next
      } while (next !== null && placed.length < MOST_READ)
      list.replaceChildren(...placed.slice(-MOST_SHOWN).reverse().map(itemOf))
      empty.hidden = placed.length > 0
    },
  }
  return orders
}
