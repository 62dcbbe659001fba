// @ts-check
// stockpoll's drop-in elements: `<stock-level>`, `<add-to-cart>` and `<stock-cart>`, all on one client of
// the stockpoll that served this script. A page loads it with one module script (`/embed.js`).
import { AddToCart } from './add-to-cart.js'
import { StockCart } from './stock-cart.js'
import { StockLevel } from './stock-level.js'

for (const [name, element] of /** @type {const} */ ([
  ['stock-level', StockLevel],
  ['add-to-cart', AddToCart],
  ['stock-cart', StockCart],
])) {
  if (!customElements.get(name)) customElements.define(name, element)
}
