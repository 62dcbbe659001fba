// @ts-check
// This tab's shop, whichever view draws it: the stock and the cart as the client knows them, and what became
// of the shopper's asks. The client does the rest; a view only draws.

/** @typedef {import('./client/types.js').Product} Product */
/** @typedef {import('./client/cart.js').Line} Line */

/**
 * What a view does with the shop: draw it, and say what became of the shopper's asks.
 * @typedef {object} View
 * @property {(shop: Shop) => void} render draws the whole shop as it is now; called on every change
 * @property {(sku: string, error: unknown) => void} refused says why a change to a line was not made
 * @property {() => void} changed says that a change was made, clearing what was said before
 * @property {(skus: string[]) => void} lapsed says that the holds of these products lapsed
 * @property {(taken: import('./client/cart.js').Taken[]) => void} taken says that sales made elsewhere took these units from the cart
 */

/**
 * @typedef {object} Shop
 * @property {ReadonlyMap<string, Product>} products what the tab knows of each product it follows
 * @property {ReadonlyMap<string, Line>} lines this tab's cart, by SKU
 * @property {(sku: string) => number} shownQuantity what a line holds as the shopper sees it: what they last asked for, or what the shop holds
 * @property {(sku: string) => boolean} busy whether a change to a line is on its way
 * @property {(sku: string, quantity: number) => void} setQuantity asks for `quantity` of a product, within what a session may hold
 */

/**
 * Draws `stock` in `view` on every change, and every second for the holds' countdowns.
 * @param {import('./client/stockpoll.js').Stockpoll} stock
 * @param {View} view
 * @param {() => void} [rendered] hears each redraw
 * @returns {Shop}
 */
export function liveShop(stock, view, rendered = () => {}) {
  const { cart } = stock
  /** @type {Shop} */
  const shop = {
    products: stock.products,
    lines: cart.lines,
    shownQuantity: (sku) => cart.shownQuantity(sku),
    busy: (sku) => cart.busy(sku),
    setQuantity: (sku, quantity) => cart.setQuantity(sku, quantity),
  }
  const render = () => {
    view.render(shop)
    rendered()
  }
  stock.on('stock', render)
  stock.on('cart', render)
  stock.on('made', () => view.changed())
  stock.on('refused', ({ sku, error }) => view.refused(sku, error))
  stock.on('lapsed', (skus) => view.lapsed(skus))
  stock.on('taken', (taken) => view.taken(taken))
  setInterval(render, 1000)
  return shop
}
