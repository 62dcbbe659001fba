// @ts-check
// The admin page at /admin: every product, live, with its counts; changes to on hand; holds and their
// release; orders and their cancel; the ledger and its check. The token is asked once and kept for the tab.
// The stock is followed as shoppers' pages follow it (client/), as a signal: each change is read again from
// the admin API, which always has every count, whatever shoppers are shown.
import { ApiError, connect } from '../client/index.js'
import { element, setText } from '../ui/dom.js'
import { adminApi, messageOf, savedToken, saveToken } from './api.js'
import { holdsPanel } from './holds.js'
import { ledgerTable } from './ledger.js'
import { ordersList } from './orders.js'
import { productsTable } from './products.js'

/**
 * Runs `read` now, and again after each `wanted()` call: one read at a time, and those asked for meanwhile
 * are one more read, not one each.
 * @param {() => Promise<void>} read
 * @param {(error: unknown) => void} failed
 */
function coalesced(read, failed) {
  let running = false
  let again = false
  const run = async () => {
    running = true
    do {
      again = false
      await read().catch(failed)
    } while (again)
    running = false
  }
  return () => {
    if (running) again = true
    else void run()
  }
}

/** @param {string} token */
async function signedIn(token) {
  const api = adminApi(token)
  const message = element('products-message')
  const holds = holdsPanel(api)
  const products = productsTable(
    api,
    (sku) => void holds.show(sku).catch((error) => setText(message, messageOf(error))),
  )
  const orders = ordersList(api)
  const ledger = ledgerTable(api)
  const refresh = coalesced(
    async () => {
      const { products: all } = await api.get('admin/products')
      products.render(all)
      await Promise.all([orders.refresh(), holds.refresh()])
    },
    (error) => setText(message, messageOf(error)),
  )
  const stock = connect()
  stock.on('link', (live) => {
    const link = element('link')
    link.dataset.state = live ? 'live' : 'reconnecting'
    setText(link, live ? 'live' : 'reconnecting…')
    if (live) refresh()
  })
  stock.watch('*', () => refresh())
  element('sign-out').addEventListener('click', () => {
    saveToken(undefined)
    location.reload()
  })
  element('signed-in').hidden = false
  await ledger.more()
}

/** Asks for the token until one opens the admin API, then shows the page with it. */
async function start() {
  const form = /** @type {HTMLFormElement} */ (element('sign-in'))
  const input = /** @type {HTMLInputElement} */ (element('token'))
  const tryToken = async (/** @type {string} */ token) => {
    try {
      await adminApi(token).get('admin/products')
    } catch (error) {
      const refused = error instanceof ApiError && error.status === 401
      setText(element('sign-in-message'), refused ? 'That is not the admin token.' : messageOf(error))
      return false
    }
    saveToken(token)
    form.hidden = true
    await signedIn(token)
    return true
  }
  const saved = savedToken()
  if (saved !== undefined && (await tryToken(saved))) return
  saveToken(undefined)
  form.hidden = false
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void tryToken(input.value.trim())
  })
}

void start()
