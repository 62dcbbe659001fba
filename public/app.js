// The shop page: shows the live stock, pushed over Server-Sent Events, a WebSocket or the long poll
// (`?transport=`), through one connection per browser, and changes this tab's cart through POST /cart. No
// framework and no build step; every text goes in through textContent.
import { follow, TRANSPORTS } from './feeds.js'
import { electLeader } from './tabs.js'

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
  transport: element('transport'),
  hold: element('hold'),
}

/** `role`: whether this tab follows the server itself ('leader', or 'solo' without the APIs) or hears a leader tab. */
const state = {
  session: '',
  stock: undefined,
  inCart: false,
  busy: false,
  role: 'follower',
  transport: 'sse',
  live: false,
}
/** Sends a message to the shop's other tabs; set once this tab leads. */
let relay = () => {}

/** Whether a stock is of another epoch than the one shown: the stock began again, so all must be redrawn. */
const isRestart = (stock) => state.stock !== undefined && stock.epoch !== state.stock.epoch

/** Whether the stock just read is news: newer than what is shown, of a new epoch, or the first the window has. */
const isNewer = (stock) => !state.stock || isRestart(stock) || stock.version >= state.stock.version

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
  renderHold()
  view.add.disabled = busy || !stock || inCart || soldOut
  view.remove.disabled = busy || !inCart
}

/** How long the hold has left, as m:ss, from the deadline the server's answer gave. */
function renderHold() {
  const left = state.inCart && state.holdEndsAt !== undefined ? state.holdEndsAt - Date.now() : undefined
  view.hold.hidden = left === undefined
  if (left === undefined) return
  const seconds = Math.max(0, Math.ceil(left / 1000))
  view.hold.textContent = `Held for you for ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}.`
}

/** Seconds after a hold's end before the tab asks whether it lapsed: the server returns it within one. */
const LAPSE_CHECK_DELAY_MS = 1500
let holdTicker

/**
 * Records this tab's cart as the server gave it. While a unit is held with an end, a countdown ticks, and
 * once the end has passed the tab reads its cart again: a hold that lapsed is said so, plainly.
 */
function showCart(inCart, holdExpiresInSeconds) {
  const lapsed = state.inCart && !inCart && state.holdEndsAt !== undefined && Date.now() >= state.holdEndsAt
  state.inCart = inCart
  state.holdEndsAt = inCart && holdExpiresInSeconds !== null ? Date.now() + holdExpiresInSeconds * 1000 : undefined
  clearInterval(holdTicker)
  if (state.holdEndsAt !== undefined) {
    holdTicker = setInterval(() => {
      renderHold()
      if (Date.now() < state.holdEndsAt + LAPSE_CHECK_DELAY_MS) return
      clearInterval(holdTicker)
      loadCart().catch(() => {})
    }, 1000)
  }
  if (lapsed)
    view.message.textContent = 'Your hold lapsed: the unit went back to stock. Add it again if it is still there.'
  render()
}

function showLink(live) {
  state.live = live
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
  const { inCart, holdExpiresInSeconds, ...stock } = await api(`/cart?session=${encodeURIComponent(state.session)}`)
  showCart(inCart, holdExpiresInSeconds)
  showStock(stock)
}

async function changeCart(action) {
  state.busy = true
  render()
  try {
    const { inCart, holdExpiresInSeconds, ...stock } = await api('/cart', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: state.session, action }),
    })
    showCart(inCart, holdExpiresInSeconds)
    if (isNewer(stock)) state.stock = stock
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

function showTransport() {
  view.transport.textContent = state.transport
  view.transport.dataset.role = state.role
}

/**
 * Keeps the window live, in the tab that leads (or in a tab alone). It reads the stock and this session's
 * cart afresh at the start and after every break, since a server that went away may have come back with
 * other stock, then follows the chosen transport and relays everything it shows to the other tabs. A
 * stream that fails twice to open while the server answers gives way to the long poll, which works
 * wherever plain requests do. Any failure shows the link as reconnecting and waits longer each time.
 */
async function stayLive() {
  let failures = 0
  let streamFailures = 0
  const setLink = (live) => {
    showLink(live)
    relay({ type: 'link', live, transport: state.transport })
  }
  for (;;) {
    let opened = false
    let reached = false
    const onOpen = () => {
      opened = true
      failures = 0
    }
    let failure
    try {
      state.session ||= await loadSession()
      await loadCart()
      reached = true
      relay({ type: 'stock', stock: state.stock, reset: true })
      setLink(true)
      await follow(
        state.transport,
        state.stock,
        (stock) => {
          onOpen()
          if (!isNewer(stock)) return
          // A stock that began again may have dropped this session's hold too: redraw from scratch.
          const reset = isRestart(stock)
          showStock(stock)
          relay({ type: 'stock', stock, reset })
          if (reset) loadCart().catch(() => {})
        },
        { api, onOpen },
      )
    } catch (error) {
      failure = error
    }
    if (opened) streamFailures = 0
    else if (reached && state.transport !== 'longpoll' && ++streamFailures >= 2) {
      state.transport = 'longpoll'
      showTransport()
    }
    failures++
    setLink(false)
    await sleep(retryDelay(failures, failure))
  }
}

/** A tab that follows the leader: it shows what the leader relays, and reads its own cart. */
function hearLeader(message) {
  if (state.role !== 'follower') {
    // A tab that just opened asks the leader for what it shows.
    if (message.type === 'hello' && state.stock) {
      relay({ type: 'stock', stock: state.stock })
      relay({ type: 'link', live: state.live, transport: state.transport })
    }
    return
  }
  if (message.type === 'link') {
    state.transport = message.transport
    showTransport()
    showLink(message.live)
  } else if (message.type === 'stock' && message.reset) {
    // The leader (re)connected, perhaps to a server that began again: this tab's cart may have changed too.
    showStock(message.stock)
    loadCart().catch(() => {})
  } else if (message.type === 'stock' && isNewer(message.stock)) {
    showStock(message.stock)
  }
}

async function start() {
  const requested = new URLSearchParams(location.search).get('transport')
  state.transport = TRANSPORTS.includes(requested) ? requested : 'sse'
  showTransport()
  // Tabs that asked for different transports keep to their own kind.
  const channel = electLeader(
    `stockpoll:${state.transport}`,
    (send, alone) => {
      relay = send
      state.role = alone ? 'solo' : 'leader'
      showTransport()
      stayLive()
    },
    hearLeader,
  )
  if (state.role !== 'follower') return
  try {
    state.session = await loadSession()
    await loadCart()
  } catch {
    showLink(false)
  }
  channel.postMessage({ type: 'hello' })
}

view.add.addEventListener('click', () => changeCart('add'))
view.remove.addEventListener('click', () => changeCart('remove'))

start()
