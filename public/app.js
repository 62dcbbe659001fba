// The shop page: shows the live stock by long-polling /status with a version cursor, and changes this
// window's cart through POST /cart. No framework and no build step; every text goes in through textContent.

const SESSION_KEY = 'stockpoll.session'
const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 30_000

const element = (id) => document.getElementById(id)
const view = {
  count: element('count'),
  total: element('total'),
  soldOut: element('sold-out'),
  cartState: element('cart-state'),
  add: element('add'),
  remove: element('remove'),
  link: element('link'),
  message: element('message'),
}

const state = { session: '', stock: undefined, inCart: false, busy: false }

class ApiError extends Error {
  constructor(status, body, retryAfterMs) {
    super(body?.message ?? `the shop answered ${status}`)
    this.status = status
    this.code = body?.error
    this.retryAfterMs = retryAfterMs
  }
}

async function api(path, init) {
  const response = await fetch(path, { cache: 'no-store', ...init })
  const body = await response.json().catch(() => undefined)
  if (response.ok) return body
  const retryAfter = Number(response.headers.get('Retry-After'))
  throw new ApiError(response.status, body, Number.isFinite(retryAfter) ? retryAfter * 1000 : 0)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Exponential, capped, and jittered, so that windows cut off together do not all come back together. */
function retryDelay(failures, error) {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1))
  const jittered = ceiling / 2 + (Math.random() * ceiling) / 2
  return Math.max(jittered, error instanceof ApiError ? error.retryAfterMs : 0)
}

function render() {
  const { stock, inCart, busy } = state
  if (stock) {
    view.count.textContent = String(stock.inventoryCount)
    view.total.textContent = String(stock.totalInventory)
  }
  const soldOut = stock?.inventoryCount === 0
  view.soldOut.hidden = !soldOut
  view.cartState.textContent = inCart ? 'One unit is in your cart.' : 'Your cart is empty.'
  view.add.disabled = busy || !stock || inCart || soldOut
  view.remove.disabled = busy || !inCart
}

function showLink(live) {
  view.link.dataset.state = live ? 'live' : 'reconnecting'
  view.link.textContent = live ? 'live' : 'reconnecting…'
}

function showStock(stock) {
  state.stock = stock
  render()
}

async function loadSession() {
  const saved = sessionStorage.getItem(SESSION_KEY)
  if (saved) return saved
  const { session } = await api('/session', { method: 'POST' })
  sessionStorage.setItem(SESSION_KEY, session)
  return session
}

async function loadCart() {
  const { inCart, ...stock } = await api(`/cart?session=${encodeURIComponent(state.session)}`)
  state.inCart = inCart
  showStock(stock)
  showLink(true)
}

async function changeCart(action) {
  state.busy = true
  render()
  try {
    const { inCart, ...stock } = await api('/cart', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: state.session, action }),
    })
    state.inCart = inCart
    if (!state.stock || stock.version >= state.stock.version) state.stock = stock
    view.message.textContent = ''
  } catch (error) {
    view.message.textContent =
      error instanceof ApiError && error.code === 'sold_out'
        ? 'Sold out: every unit is in a cart. One may come back.'
        : `Could not change your cart: ${error.message}`
  } finally {
    state.busy = false
    render()
  }
}

/**
 * The long poll: ask for anything after the version we have, show it, and ask again at once. Returns when
 * the server's version went backwards, which means its stock began again (a restart).
 */
async function pollWhileConsistent(onAnswer) {
  let cursor = state.stock.version
  for (;;) {
    const stock = await api(`/status?since=${cursor}`)
    onAnswer()
    if (stock.version < cursor) return
    // An answer older than what a cart action already showed is skipped; the next poll returns at once.
    if (stock.version >= state.stock.version) showStock(stock)
    cursor = stock.version
  }
}

/**
 * Keeps the window live. It reads the stock and this session's cart afresh at the start and after every
 * break, since a server that went away may have come back with other stock, then follows the long poll.
 * Any failure shows the link as reconnecting and waits longer each time before starting over.
 */
async function stayLive() {
  let failures = 0
  for (;;) {
    try {
      state.session ||= await loadSession()
      await loadCart()
      await pollWhileConsistent(() => (failures = 0))
    } catch (error) {
      failures++
      showLink(false)
      await sleep(retryDelay(failures, error))
    }
  }
}

view.add.addEventListener('click', () => changeCart('add'))
view.remove.addEventListener('click', () => changeCart('remove'))

stayLive()
