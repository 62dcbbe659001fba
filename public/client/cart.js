// @ts-check
// A shopper's cart: their session, kept where the client keeps things (the tab's `sessionStorage` in a
// browser), the lines they hold and when each hold lapses, the quantities they ask for, sent one request at a
// time per line, and checkout, whose Idempotency-Key is kept until the shop says for sure what became of it.
import { ApiError, newKey, request, sendChange } from './http.js'
import { lineRequests } from './line-requests.js'

/** @typedef {import('./types.js').Product} Product */
/** @typedef {import('./types.js').CartLine} CartLine */
/** @typedef {import('./types.js').Order} Order */
/**
 * A line as the client keeps it: `endsAt`, when its hold lapses, on this machine's clock; `takenAt`, the
 * product's `holdsTakenAt` when the line was last read.
 * @typedef {{ quantity: number, endsAt: number | undefined, lapsed: boolean, takenAt: number | undefined }} Line
 */
/** Units of a line a sale made elsewhere took. @typedef {{ sku: string, quantity: number }} Taken */
/** @typedef {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>} KeyValueStore */

const SESSION_KEY = 'stockpoll.session'
const LAST_ORDER_KEY = 'stockpoll.lastOrder'
/**
 * The Idempotency-Key of a checkout not yet answered for sure, and when it was made: it is sent again under
 * the same key, which finds the order if the shop made it, rather than leave the shopper guessing.
 */
const PENDING_CHECKOUT_KEY = 'stockpoll.pendingCheckout'
/** How long the shop remembers an Idempotency-Key: a checkout older than this is not sent again. */
const KEY_KEPT_MS = 10 * 60 * 1000
/** How long after a hold's end the cart is read again: the server returns a hold within a second. */
const LAPSE_CHECK_DELAY_MS = 1500

/**
 * What the cart tells whoever shows it.
 * @typedef {object} CartEvents
 * @property {() => void} changed the lines, or what is asked of them, changed
 * @property {(sku: string) => void} made a change to a line was made
 * @property {(sku: string, error: Error) => void} refused a change to a line was refused, or failed
 * @property {(skus: string[]) => void} lapsed the holds of these products lapsed
 * @property {(taken: Taken[]) => void} taken sales made elsewhere took these units of the shopper's holds
 * @property {(product: Product) => void} product an answer carried a product's stock
 * @property {(order: Order) => void} sold a checkout made this order
 */

export class Cart {
  /** This shopper's lines, by SKU. @type {Map<string, Line>} */
  lines = new Map()
  /** @type {Promise<string> | undefined} */
  #session
  /** The read of the cart under way, and the one to follow it. @type {Promise<string[]> | undefined} */
  #loading
  /** @type {Promise<string[]> | undefined} */
  #next
  #base
  #storage
  #events
  #maxPerSession
  #requests = lineRequests(
    (sku, quantity) => this.#send(sku, quantity),
    () => this.#events.changed(),
  )
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #lapseTimer
  /** The newest `holdsTakenAt` heard of each product. @type {Map<string, number>} */
  #takenAt = new Map()

  /**
   * @param {URL} base
   * @param {KeyValueStore} storage
   * @param {CartEvents} events
   * @param {() => number | undefined} maxPerSession the cap on a line, once the shop has said it
   */
  constructor(base, storage, events, maxPerSession) {
    this.#base = base
    this.#storage = storage
    this.#events = events
    this.#maxPerSession = maxPerSession
  }

  /** This shopper's id: the one kept, or a fresh one from the shop, asked for once however many ask. */
  session() {
    this.#session ??= this.#startSession().catch((error) => {
      this.#session = undefined
      throw error
    })
    return this.#session
  }

  /** @returns {Promise<string>} */
  async #startSession() {
    const saved = this.#storage.getItem(SESSION_KEY)
    if (saved) return saved
    /** @type {{ session: string }} */
    const { session } = await request(this.#base, 'session', { method: 'POST' })
    this.#storage.setItem(SESSION_KEY, session)
    return session
  }

  /** Whether this shopper has a session yet: one with none has an empty cart. */
  get started() {
    return this.#session !== undefined || this.#storage.getItem(SESSION_KEY) !== null
  }

  /** What a line holds as the shopper sees it: what they last asked for, or what the shop holds. @param {string} sku */
  shownQuantity(sku) {
    return this.#requests.wanted(sku) ?? this.lines.get(sku)?.quantity ?? 0
  }

  /** Whether a change to a line is on its way. @param {string} sku */
  busy(sku) {
    return this.#requests.wanted(sku) !== undefined
  }

  /**
   * Asks for `quantity` of a product, within what a session may hold: sent now, or once the request on its way
   * is answered.
   * @param {string} sku
   * @param {number} quantity
   */
  setQuantity(sku, quantity) {
    // At once, not after an await: two clicks in one task make two asks, in order.
    this.#requests.want(sku, Math.min(this.#maxPerSession() ?? Infinity, Math.max(0, quantity)))
  }

  /**
   * Reads the cart afresh; gives the products whose hold lapsed since it was last read. A read under way may
   * have been sent before the change its caller wants to see, so one more follows it, shared by every caller
   * meanwhile: the page's elements, all asking at once, make two reads, not one each.
   * @returns {Promise<string[]>}
   */
  load() {
    if (this.#loading) {
      this.#next ??= this.#loading
        .catch(() => {})
        .then(() => {
          this.#next = undefined
          return this.load()
        })
      return this.#next
    }
    this.#loading = this.#read().finally(() => (this.#loading = undefined))
    return this.#loading
  }

  async #read() {
    /** @type {{ lines: CartLine[] }} */
    const { lines } = await request(this.#base, `cart?session=${encodeURIComponent(await this.session())}`)
    const heldBefore = [...this.lines].filter(([, line]) => !line.lapsed)
    this.lines.clear()
    for (const line of lines) {
      this.#showLine(line, line.product)
      this.#events.product(line.product)
    }
    this.#watchLapses()
    this.#events.changed()
    const taken = heldBefore.flatMap(([sku, before]) => this.#takenFrom(sku, before))
    if (taken.length > 0) this.#events.taken(taken)
    return heldBefore.map(([sku]) => sku).filter((sku) => this.lines.get(sku)?.lapsed ?? true)
  }

  /**
   * What a sale made elsewhere took of a line that held `before`: the units it lost, where the product's
   * `holdsTakenAt` moved since; none where the shopper's own change is on its way, or its hold lapsed.
   * @param {string} sku
   * @param {Line} before
   * @returns {Taken[]}
   */
  #takenFrom(sku, before) {
    const now = this.lines.get(sku)
    const takenAt = now?.takenAt ?? this.#takenAt.get(sku)
    if (now?.lapsed || this.busy(sku) || takenAt === undefined || takenAt === before.takenAt) return []
    const lost = before.quantity - (now?.quantity ?? 0)
    return lost > 0 ? [{ sku, quantity: lost }] : []
  }

  /**
   * Hears a product's stock, pushed or read: where a sale made elsewhere took from its holds since this
   * shopper's line of it was read, the cart is read again, to learn whether this hold was one.
   * @param {Product} product
   */
  heard({ sku, holdsTakenAt }) {
    if (holdsTakenAt === undefined) return
    this.#takenAt.set(sku, holdsTakenAt)
    const line = this.lines.get(sku)
    if (line && !line.lapsed && line.takenAt !== holdsTakenAt) void this.load().catch(() => {})
  }

  /**
   * Sells the whole cart: the checkout left unanswered before, if any, else a new one, sent until the shop
   * says for sure what became of it. Resolves with the order; throws the refusal.
   * @param {{ onRetry?: (error: unknown) => void }} [options] `onRetry` hears each try left undecided
   * @returns {Promise<Order>}
   */
  async checkout({ onRetry = () => {} } = {}) {
    const pending = this.#pendingCheckout() ?? { key: newKey(), at: Date.now() }
    this.#storage.setItem(PENDING_CHECKOUT_KEY, JSON.stringify(pending))
    try {
      /** @type {Order} */
      const order = await sendChange(
        this.#base,
        'checkout',
        { session: await this.session() },
        { key: pending.key, onRetry },
      )
      this.#storage.setItem(LAST_ORDER_KEY, order.id)
      // Sold, not taken: a read of the cart under way must not count these lines as lost.
      for (const { sku } of order.lines) this.lines.delete(sku)
      this.#events.sold(order)
      void this.load().catch(() => {})
      return order
    } finally {
      // Answered for sure, either way: the next checkout is a new one.
      this.#storage.removeItem(PENDING_CHECKOUT_KEY)
    }
  }

  /**
   * The last order this shopper made, if the shop still has it; a checkout left unanswered (by a reload, say)
   * is sent again, to find out.
   * @param {{ onRetry?: (error: unknown) => void }} [options]
   * @returns {Promise<Order | undefined>}
   */
  async lastOrder(options) {
    if (this.#pendingCheckout()) return this.checkout(options)
    const id = this.#storage.getItem(LAST_ORDER_KEY)
    if (!id) return undefined
    try {
      return await this.order(id)
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error
      this.#storage.removeItem(LAST_ORDER_KEY)
      return undefined
    }
  }

  /**
   * One of this shopper's orders.
   * @param {string} id
   * @returns {Promise<Order>}
   */
  async order(id) {
    const session = encodeURIComponent(await this.session())
    return request(this.#base, `orders/${encodeURIComponent(id)}?session=${session}`)
  }

  stop() {
    clearTimeout(this.#lapseTimer)
  }

  /** @returns {{ key: string, at: number } | undefined} */
  #pendingCheckout() {
    try {
      const pending = JSON.parse(this.#storage.getItem(PENDING_CHECKOUT_KEY) ?? 'null')
      return pending && Date.now() - pending.at < KEY_KEPT_MS ? pending : undefined
    } catch {
      return undefined
    }
  }

  /**
   * @param {{ sku: string, quantity: number, holdExpiresInSeconds: number | null, lapsed: boolean }} line
   * @param {Product} product its stock, as the same answer told it
   */
  #showLine({ sku, quantity, holdExpiresInSeconds, lapsed }, product) {
    if (quantity === 0) this.lines.delete(sku)
    else {
      const endsAt = holdExpiresInSeconds === null ? undefined : Date.now() + holdExpiresInSeconds * 1000
      this.lines.set(sku, { quantity, endsAt, lapsed, takenAt: product.holdsTakenAt })
    }
  }

  /** Reads the cart again just after the next hold ends, to learn whether it lapsed. */
  #watchLapses() {
    clearTimeout(this.#lapseTimer)
    const ends = [...this.lines.values()].flatMap((line) => (line.lapsed || !line.endsAt ? [] : [line.endsAt]))
    if (ends.length === 0) return
    this.#lapseTimer = setTimeout(
      () => {
        this.load().then(
          (lapsed) => lapsed.length > 0 && this.#events.lapsed(lapsed),
          () => this.#watchLapses(),
        )
      },
      Math.max(0, Math.min(...ends) + LAPSE_CHECK_DELAY_MS - Date.now()),
    )
  }

  /**
   * Sends one line's quantity and tells what became of it.
   * @param {string} sku
   * @param {number} quantity
   */
  async #send(sku, quantity) {
    try {
      const body = { session: await this.session(), sku, action: 'set', quantity }
      /** @type {{ line: { quantity: number, holdExpiresInSeconds: number | null }, product: Product }} */
      const { line, product } = await sendChange(this.#base, 'cart', body)
      this.#showLine({ sku, ...line, lapsed: false }, product)
      this.#watchLapses()
      this.#events.product(product)
      this.#events.made(sku)
    } catch (error) {
      this.#events.refused(sku, error instanceof Error ? error : new Error(String(error)))
    }
  }
}
