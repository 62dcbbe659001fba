// @ts-check
// The classic view, for a shop of one product: what is left, and Add and Remove for this tab's one unit.
// Every text goes in through textContent.
import { api, ApiError, element, loadSession, sendChange, timeLeft } from './api.js'
import { checkoutPanel } from './checkout.js'
import { lineRequests } from './line-requests.js'
import { stayLive } from './live.js'

/** @typedef {{ inventoryCount: number, totalInventory: number, version: number, epoch: string }} Stock */

const view = {
  count: element('count'),
  total: element('total'),
  soldOut: element('sold-out'),
  cartState: element('cart-state'),
  add: /** @type {HTMLButtonElement} */ (element('add')),
  remove: /** @type {HTMLButtonElement} */ (element('remove')),
  message: element('message'),
  hold: element('hold'),
}

/** Seconds after a hold's end before the tab asks whether it lapsed: the server returns it within one. */
const LAPSE_CHECK_DELAY_MS = 1500

/** The classic commands name no product: the one line is the default product's. */
const LINE = 'default'

/**
 * @param {import('./app.js').Shell} shell the parts every view shares: the link, the transport, the tabs
 */
export function classicView(shell) {
  const state = {
    session: '',
    /** @type {Stock | undefined} */
    stock: undefined,
    inCart: false,
    /** @type {number | undefined} */
    holdEndsAt: undefined,
  }
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let holdTicker
  const checkout = checkoutPanel({ session: () => state.session, sold: () => void loadCart().catch(() => {}) })
  const requests = lineRequests(
    (_line, quantity) => changeCart(quantity > 0 ? 'add' : 'remove'),
    () => render(),
  )

  /**
   * Whether a stock is of another epoch than the one shown: the stock began again, so all must be redrawn.
   * @param {Stock} stock
   */
  const isRestart = (stock) => state.stock !== undefined && stock.epoch !== state.stock.epoch

  /**
   * Whether the stock just read is news: newer than what is shown, of a new epoch, or the first the window has.
   * @param {Stock} stock
   */
  const isNewer = (stock) => !state.stock || isRestart(stock) || stock.version >= state.stock.version

  function render() {
    const { stock, inCart } = state
    // What the shopper last asked for, while it is on its way: a click is never lost, nor made twice.
    const wanted = (requests.wanted(LINE) ?? (inCart ? 1 : 0)) > 0
    if (stock) {
      view.count.textContent = String(stock.inventoryCount)
      view.total.textContent = String(stock.totalInventory)
    }
    const soldOut = stock?.inventoryCount === 0
    view.soldOut.hidden = !soldOut
    view.cartState.textContent = inCart ? 'One unit is in your cart.' : 'Your cart is empty.'
    renderHold()
    view.add.disabled = !stock || wanted || soldOut
    view.remove.disabled = !wanted
    checkout.show(inCart)
  }

  /** How long the hold has left, from the deadline the server's answer gave. */
  function renderHold() {
    const ends = state.inCart ? state.holdEndsAt : undefined
    view.hold.hidden = ends === undefined
    if (ends !== undefined) view.hold.textContent = `Held for you for ${timeLeft(ends)}.`
  }

  /**
   * Records this tab's cart as the server gave it. While a unit is held with an end, a countdown ticks, and
   * once the end has passed the tab reads its cart again: a hold that lapsed is said so, plainly.
   * @param {boolean} inCart
   * @param {number | null} holdExpiresInSeconds
   */
  function showCart(inCart, holdExpiresInSeconds) {
    const lapsed = state.inCart && !inCart && state.holdEndsAt !== undefined && Date.now() >= state.holdEndsAt
    state.inCart = inCart
    state.holdEndsAt = inCart && holdExpiresInSeconds !== null ? Date.now() + holdExpiresInSeconds * 1000 : undefined
    clearInterval(holdTicker)
    const ends = state.holdEndsAt
    if (ends !== undefined) {
      holdTicker = setInterval(() => {
        renderHold()
        if (Date.now() < ends + LAPSE_CHECK_DELAY_MS) return
        clearInterval(holdTicker)
        loadCart().catch(() => {})
      }, 1000)
    }
    if (lapsed)
      view.message.textContent = 'Your hold lapsed: the unit went back to stock. Add it again if it is still there.'
    render()
  }

  /** @param {Stock} stock */
  function showStock(stock) {
    state.stock = stock
    render()
  }

  async function loadCart() {
    /** @type {Stock & { inCart: boolean, holdExpiresInSeconds: number | null }} */
    const { inCart, holdExpiresInSeconds, ...stock } = await api(`/cart?session=${encodeURIComponent(state.session)}`)
    showCart(inCart, holdExpiresInSeconds)
    showStock({
      inventoryCount: stock.inventoryCount,
      totalInventory: stock.totalInventory,
      version: stock.version,
      epoch: stock.epoch,
    })
  }

  /** @param {'add' | 'remove'} action */
  async function changeCart(action) {
    try {
      const { inCart, holdExpiresInSeconds, ...stock } = await sendChange('/cart', { session: state.session, action })
      if (isNewer(stock)) state.stock = stock
      view.message.textContent = ''
      showCart(inCart, holdExpiresInSeconds)
    } catch (error) {
      view.message.textContent =
        error instanceof ApiError && error.code === 'sold_out'
          ? 'Sold out: every unit is in a cart. One may come back.'
          : `Could not change your cart: ${error instanceof Error ? error.message : String(error)}`
      render()
    }
  }

  view.add.addEventListener('click', () => requests.want(LINE, 1))
  view.remove.addEventListener('click', () => requests.want(LINE, 0))

  return {
    /** Follows the server, in the tab that leads, relaying every stock to the other tabs. */
    lead() {
      void stayLive({
        transport: () => shell.transport,
        fallBackTo: (name) => shell.showTransport(name),
        reload: async () => {
          if (!state.session) {
            state.session = await loadSession()
            void checkout.showLast()
          }
          await loadCart()
          const stock = /** @type {Stock} */ (state.stock)
          shell.relay({ type: 'stock', stock, reset: true })
          return stock
        },
        apply: (/** @type {Stock} */ stock) => {
          if (!isNewer(stock)) return
          // A stock that began again may have dropped this session's hold too: redraw from scratch.
          const reset = isRestart(stock)
          showStock(stock)
          shell.relay({ type: 'stock', stock, reset })
          if (reset) loadCart().catch(() => {})
        },
        setLink: (live) => shell.setLink(live),
      })
    },
    /** Reads this tab's cart, in a tab that follows the leader. */
    async follow() {
      state.session = await loadSession()
      void checkout.showLast()
      await loadCart()
    },
    /**
     * What the leader tells the tabs that follow it; a new tab's `hello` asks the leader for what it shows.
     * @param {any} message
     */
    hear(message) {
      if (shell.role !== 'follower') {
        if (message.type === 'hello' && state.stock) shell.relay({ type: 'stock', stock: state.stock })
        return
      }
      if (message.type === 'stock' && message.reset) {
        // The leader (re)connected, perhaps to a server that began again: this tab's cart may have changed too.
        showStock(message.stock)
        loadCart().catch(() => {})
      } else if (message.type === 'stock' && isNewer(message.stock)) {
        showStock(message.stock)
      }
    },
  }
}
