// @ts-check
// The classic view, for a shop of one product: what is left, and Add and Remove for this tab's one unit.
// Every text goes in through textContent.
import { ApiError, stockText, timeLeft } from './client/index.js'
import { element, setDisabled } from './ui/dom.js'

/** @typedef {import('./shop.js').Shop} Shop */

const dom = {
  counts: element('counts'),
  level: element('level'),
  count: element('count'),
  total: element('total'),
  soldOut: element('sold-out'),
  cartState: element('cart-state'),
  add: /** @type {HTMLButtonElement} */ (element('add')),
  remove: /** @type {HTMLButtonElement} */ (element('remove')),
  message: element('message'),
  hold: element('hold'),
}

/**
 * @param {string} sku the shop's one product
 * @returns {import('./shop.js').View & { bind: (shop: Shop) => void }}
 */
export function classicView(sku) {
  return {
    bind(shop) {
      dom.add.addEventListener('click', () => shop.setQuantity(sku, 1))
      dom.remove.addEventListener('click', () => shop.setQuantity(sku, 0))
    },
    render(shop) {
      const product = shop.products.get(sku)
      if (product) {
        // "3 of 10 left" where the shop shows its counts; else what it does show, such as "In stock".
        const { available, onHand } = product
        const counted = available !== undefined && onHand !== undefined
        dom.counts.hidden = !counted
        dom.level.hidden = counted || product.level === 'sold_out'
        if (counted) {
          dom.count.textContent = String(available)
          dom.total.textContent = String(onHand)
        } else dom.level.textContent = stockText(product)
      }
      const line = shop.lines.get(sku)
      const held = line !== undefined && !line.lapsed
      // What the shopper last asked for, while it is on its way: a click is never lost, nor made twice.
      const wanted = shop.shownQuantity(sku) > 0 && (held || shop.busy(sku))
      const soldOut = product?.level === 'sold_out'
      dom.soldOut.hidden = !soldOut
      dom.cartState.textContent = held ? 'One unit is in your cart.' : 'Your cart is empty.'
      const ends = held ? line.endsAt : undefined
      dom.hold.hidden = ends === undefined
      if (ends !== undefined) dom.hold.textContent = `Held for you for ${timeLeft(ends)}.`
      setDisabled([
        [dom.add, !product || wanted || soldOut],
        [dom.remove, !wanted],
      ])
    },
    changed() {
      dom.message.textContent = ''
    },
    refused(_sku, error) {
      dom.message.textContent =
        error instanceof ApiError && error.code === 'sold_out'
          ? 'Sold out: every unit is in a cart. One may come back.'
          : `Could not change your cart: ${error instanceof Error ? error.message : String(error)}`
    },
    lapsed() {
      dom.message.textContent = 'Your hold lapsed: the unit went back to stock. Add it again if it is still there.'
    },
    taken() {
      dom.message.textContent = 'The unit in your cart was sold in the shop meanwhile, and taken from your cart.'
    },
  }
}
