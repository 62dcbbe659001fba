// @ts-check
// What a product says of its stock, in words a shop may change (to any language): `{count}` in a text is
// what is left, where the shop shows it; and how long a hold has left.

/**
 * @typedef {object} StockTexts
 * @property {string} inStock in stock, the count not shown
 * @property {string} inStockCount in stock, the count shown
 * @property {string} low low, the count not shown
 * @property {string} lowCount low, the count shown
 * @property {string} soldOut
 */

/** @type {StockTexts} */
export const STOCK_TEXTS = {
  inStock: 'In stock',
  inStockCount: '{count} left',
  low: 'Only a few left',
  lowCount: 'Only {count} left',
  soldOut: 'Sold out',
}

/**
 * @param {Pick<import('./types.js').Product, 'available' | 'level'>} product
 * @param {StockTexts} [texts]
 */
export function stockText({ available, level }, texts = STOCK_TEXTS) {
  if (level === 'sold_out') return texts.soldOut
  const text =
    level === 'low'
      ? available === undefined
        ? texts.low
        : texts.lowCount
      : available === undefined
        ? texts.inStock
        : texts.inStockCount
  return text.replaceAll('{count}', String(available))
}

/**
 * How long a hold has left, as m:ss.
 * @param {number} endsAt
 */
export function timeLeft(endsAt) {
  const seconds = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

/**
 * @typedef {object} HoldTexts
 * @property {string} held a line whose hold lapses: `{count}` units held, `{time}` left
 * @property {string} kept a line whose hold does not lapse
 * @property {string} lapsed a line whose hold lapsed
 */

/** @type {HoldTexts} */
export const HOLD_TEXTS = {
  held: 'held for {time}',
  kept: '',
  lapsed: 'hold lapsed: bought at checkout if still there',
}

/**
 * What a cart line says of its hold.
 * @param {import('./cart.js').Line} line
 * @param {HoldTexts} [texts]
 */
export function holdText(line, texts = HOLD_TEXTS) {
  const text = line.lapsed ? texts.lapsed : line.endsAt === undefined ? texts.kept : texts.held
  return text
    .replaceAll('{count}', String(line.quantity))
    .replaceAll('{time}', line.endsAt === undefined ? '' : timeLeft(line.endsAt))
}
