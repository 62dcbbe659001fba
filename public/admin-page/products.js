// @ts-check
// Every product with on hand, held and available, redrawn on every change; a change of on hand, made only if
// on hand is still what the admin saw (`expected`); the way to a product's holds; and its archiving.
import { element, setText } from '../ui/dom.js'
import { messageOf } from './api.js'
import { button } from './controls.js'

/**
 * @typedef {{ sku: string, name: string, onHand: number, held: number, available: number, archived?: true,
 *   openOrders: { orders: number, units: number } }} AdminProduct
 */

/**
 * A control of a form, labelled for assistive technology by what it does to which product.
 * @param {string} type
 * @param {string} label
 */
function field(type, label) {
  const input = document.createElement('input')
  input.type = type
  input.required = true
  input.setAttribute('aria-label', label)
  return input
}

/**
 * @param {import('./api.js').AdminApi} api
 * @param {(sku: string) => void} showHolds
 */
export function productsTable(api, showHolds) {
  const body = element('products')
  const message = element('products-message')
  /**
   * @type {Map<string, { row: HTMLTableRowElement, cells: HTMLTableCellElement[], archive: HTMLButtonElement,
   *   product: AdminProduct }>}
   */
  const rows = new Map()

  /**
   * Changes on hand by `delta`, if on hand is still what the table shows.
   * @param {string} sku
   * @param {HTMLFormElement} form
   */
  async function adjust(sku, form) {
    const entry = rows.get(sku)
    const [delta, reason] = /** @type {HTMLInputElement[]} */ ([...form.querySelectorAll('input')])
    if (!entry || !delta || !reason) return
    const expected = entry.product.onHand
    try {
      const { product } = await api.change(`admin/products/${encodeURIComponent(sku)}/adjustments`, {
        delta: Number(delta.value),
        reason: reason.value,
        expected,
      })
      form.reset()
      setText(message, `${sku}: on hand is now ${product.onHand}.`)
    } catch (error) {
      setText(message, `${sku}: nothing changed. ${messageOf(error)}`)
    }
  }

  /**
   * Archives a product, so that it takes no new holds, or sells an archived one again.
   * @param {string} sku
   */
  async function toggleArchive(sku) {
    const archived = rows.get(sku)?.product.archived === true
    try {
      await api.change(`admin/products/${encodeURIComponent(sku)}/${archived ? 'unarchive' : 'archive'}`)
      setText(message, archived ? `${sku} is sold again.` : `${sku} is archived: no longer sold.`)
    } catch (error) {
      setText(message, `${sku}: nothing changed. ${messageOf(error)}`)
    }
  }

  /** @param {AdminProduct} product */
  function rowOf(product) {
    const row = document.createElement('tr')
    row.dataset.sku = product.sku
    const heading = document.createElement('th')
    heading.scope = 'row'
    heading.textContent = product.sku
    row.append(heading)
    const cells = Array.from({ length: 7 }, () => row.appendChild(document.createElement('td')))
    const form = document.createElement('form')
    form.className = 'adjust'
    const delta = field('number', `Change on hand of ${product.sku} by`)
    delta.step = '1'
    const reason = field('text', `Why on hand of ${product.sku} changes`)
    reason.placeholder = 'why'
    form.append(delta, reason, button('Apply', 'submit'))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void adjust(product.sku, form)
    })
    cells[5]?.append(form)
    const holds = button('Holds')
    holds.setAttribute('aria-label', `Holds of ${product.sku}`)
    holds.addEventListener('click', () => showHolds(product.sku))
    const archive = button('')
    archive.addEventListener('click', () => void toggleArchive(product.sku))
    cells[6]?.append(holds, ' ', archive)
    body.append(row)
    return { row, cells, archive, product }
  }

  return {
    /** @param {AdminProduct[]} products */
    render(products) {
      const listed = new Set(products.map(({ sku }) => sku))
      for (const [sku, { row }] of rows) {
        if (listed.has(sku)) continue
        row.remove()
        rows.delete(sku)
      }
      for (const product of products) {
        const entry = rows.get(product.sku) ?? rowOf(product)
        entry.product = product
        rows.set(product.sku, entry)
        const counts = [product.onHand, product.held, product.available, product.openOrders.units].map(String)
        for (const [i, text] of [product.name, ...counts].entries()) {
          const shown = entry.cells[i]
          if (shown) setText(shown, text)
        }
        setText(entry.archive, product.archived ? 'Sell again' : 'Archive')
        entry.archive.setAttribute('aria-label', `${product.archived ? 'Sell again' : 'Archive'} ${product.sku}`)
      }
    },
  }
}
