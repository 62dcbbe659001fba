// @ts-check
// stockpoll's client: `connect({ server })`, then `watch(skus, onStock)`, the cart, checkout and orders.
// The same module serves stockpoll's own page, its drop-in elements, and a back end in Node.
export { connect, Stockpoll, TRANSPORTS } from './stockpoll.js'
export { ApiError } from './http.js'
export { HOLD_TEXTS, holdText, OTHERS_TEXTS, othersText, stockText, STOCK_TEXTS, timeLeft } from './stock-text.js'
