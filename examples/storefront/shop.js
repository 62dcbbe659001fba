// @ts-check
// The shop's own script: stockpoll holds the stock and makes the order; taking payment is the shop's.
const payment = /** @type {HTMLElement} */ (document.getElementById('payment'))

document.addEventListener('checkout', (event) => {
  const { order } = /** @type {CustomEvent<{ order: import('../../public/client/types.js').Order }>} */ (event).detail
  const units = order.lines.reduce((sum, line) => sum + line.quantity, 0)
  payment.textContent = `Order ${order.id}: ${units} item(s). On to payment…`
})
