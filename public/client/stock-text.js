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
 * @property {string} archived no longer sold: the shop archived it
 */

/** @type {StockTexts} */
export const STOCK_TEXTS = {
  inStock: 'In stock',
  inStockCount: '{count} left',
  low: 'Only a few left',
  lowCount: 'Only {count} left',
  soldOut: 'Sold out',
  archived: 'No longer sold',
}

/**
 * @param {Pick<import('./types.js').Product, 'available' | 'level' | 'archived'>} product
 * @param {StockTexts} [texts]
 */
export function stockText({ available, level, archived }, texts = STOCK_TEXTS) {
  if (archived) return texts.archived
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

/**
 * @typedef {object} OthersTexts
 * @property {string} held `{count}` units in other carts, the next lapse not told
 * @property {string} freesUp `{count}` units in other carts, and `{time}` until the next hold lapses
 */

/** @type {OthersTexts} */
export const OTHERS_TEXTS = {
  held: '{count} in other carts',
  freesUp: '{count} in other carts — one may free up in {time}',
}

/**
 * How far apart, in ms, the shopper's hold's end (on this machine's clock, from seconds left) and the next
 * lapse (on the server's) may be for the one to be taken for the other. Taken wrongly either way, what is
 * said stays true: a countdown left out, or one to the shopper's own hold, which frees units up too.
 */
const SAME_INSTANT_MS = 1000

/**
 * What other carts hold of a product, where the shop shows holds (`SHOW_HOLDS`); '' where it does not, or
 * they hold none. When the next hold lapses is told only where it is not the shopper's own.
 * @param {Pick<import('./types.js').Product, 'held' | 'nextLapseAt'>} product
 * @param {import('./cart.js').Line | undefined} own the shopper's line of the product
 * @param {OthersTexts} [texts]
 */
export function othersText({ held, nextLapseAt }, own, texts = OTHERS_TEXTS) {
  const mine = own && !own.lapsed ? own.quantity : 0
  const others = (held ?? 0) - mine
  if (others <= 0) return ''
  const next = nextLapseAt === undefined ? undefined : Date.parse(nextLapseAt)
  const ownIsNext = mine > 0 && own?.endsAt !== undefined && next !== undefined && own.endsAt - next < SAME_INSTANT_MS
  const text = next === undefined || ownIsNext ? texts.held : texts.freesUp
  return text.replaceAll('{count}', String(others)).replaceAll('{time}', next === undefined ? '' : timeLeft(next))
}
