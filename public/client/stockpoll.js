// @ts-check
// stockpoll's client, for browsers and Node: what it watches and the stock it knows of it, the shopper's
// cart, and one connection per browser. The tab that leads (or a tab alone, or a Node process) follows the
// server for what every tab watches, and relays what it hears; the other tabs read the stock themselves when
// they start, then listen.
import { Cart } from './cart.js'
import { transportsFor, TRANSPORTS } from './feeds.js'
import { baseOf, newKey, request } from './http.js'
import { stayLive } from './live.js'
import { electLeader } from './tabs.js'

/** @typedef {import('./types.js').Product} Product */
/** @typedef {import('./types.js').Update} Update */
/** @typedef {import('./types.js').Shop} Shop */
/** @typedef {import('./types.js').Order} Order */
/** @typedef {import('./feeds.js').TransportName} TransportName */
/** @typedef {import('./cart.js').KeyValueStore} KeyValueStore */
/** What is watched: SKUs, or `*` for the whole catalog. @typedef {'*' | readonly string[]} Skus */

/**
 * What the client tells its listeners, by name.
 * @typedef {object} Events
 * @property {Product[]} stock what is known of these watched products changed
 * @property {void} cart the cart's lines, or what is asked of them, changed
 * @property {string} made a change the shopper asked of this line was made
 * @property {{ sku: string, error: Error }} refused a change the shopper asked was refused, or failed
 * @property {string[]} lapsed the holds of these products lapsed, their units back in stock
 * @property {import('./cart.js').Taken[]} taken sales made elsewhere (a till, another channel) took these units of the shopper's holds
 * @property {Order} checkout a checkout made this order
 * @property {boolean} link the link to the server is live, or reconnecting
 * @property {TransportName} transport the transport the link follows from now on
 * @property {string} unknown a watched SKU that the catalog lacks
 */

/**
 * @typedef {object} ConnectOptions
 * @property {string | URL} [server] the stockpoll to follow; this page's own by default
 * @property {TransportName} [transport] the transport to try first; the best the platform has by default
 * @property {KeyValueStore} [storage] where the shopper's session is kept: the tab's `sessionStorage` by default
 * @property {import('./feeds.js').Sockets} [sockets] the EventSource and WebSocket to use: the platform's by default
 */

/** More SKUs than one watch may name: past it, the whole catalog is followed. */
const MAX_WATCHED_SKUS = 100

/** @returns {KeyValueStore} */
function memoryStore() {
  const kept = new Map()
  return {
    getItem: (key) => kept.get(key) ?? null,
    setItem: (key, value) => void kept.set(key, value),
    removeItem: (key) => void kept.delete(key),
  }
}

/**
 * Connects to a stockpoll: nothing is opened until something is watched or the cart is used.
 * @param {ConnectOptions} [options]
 */
export const connect = (options) => new Stockpoll(options)

export class Stockpoll {
  /** What is known of each watched product. @type {Map<string, Product>} */
  products = new Map()
  live = false
  /** @type {TransportName} */
  transport
  /** Whether this client follows the server itself ('leader', or 'solo' where tabs cannot share) or hears a tab that does. */
  role = /** @type {'leader' | 'solo' | 'follower'} */ ('follower')
  /** The shopper's cart. */
  cart
  #base
  #sockets
  #transports
  /** @type {Map<keyof Events, Set<(detail: any) => void>>} */
  #listeners = new Map()
  /** @type {Set<{ skus: Skus }>} */
  #watches = new Set()
  /** What the other tabs watch, by tab, as they said; heard by the leader. @type {Map<string, Skus>} */
  #otherTabs = new Map()
  #tab = newKey()
  #epoch = ''
  #version = -1
  /** @type {Promise<Shop> | undefined} */
  #shop
  /** @type {Set<string>} */
  #warned = new Set()
  /** @type {import('./tabs.js').Membership | undefined} */
  #tabs
  /** @type {ReturnType<typeof stayLive> | undefined} */
  #following
  /** What the feed follows, as last asked. @type {string | undefined} */
  #followingSkus
  /** The catalog as last read, once read. @type {Shop | undefined} */
  #shopNow
  #started = false
  #changing = false

  /** @param {ConnectOptions} [options] */
  constructor({ server, transport, storage, sockets } = {}) {
    this.#base = server === undefined ? new URL('/', globalThis.location?.href) : baseOf(server)
    this.#sockets = sockets ?? { EventSource: globalThis.EventSource, WebSocket: globalThis.WebSocket }
    const usable = transportsFor(this.#sockets)
    this.#transports = transport && usable.includes(transport) ? usable.slice(usable.indexOf(transport)) : usable
    this.transport = /** @type {TransportName} */ (this.#transports[0])
    this.cart = new Cart(
      this.#base,
      storage ?? globalThis.sessionStorage ?? memoryStore(),
      {
        changed: () => this.#emit('cart', undefined),
        made: (sku) => this.#emit('made', sku),
        refused: (sku, error) => this.#emit('refused', { sku, error }),
        lapsed: (skus) => this.#emit('lapsed', skus),
        taken: (taken) => this.#emit('taken', taken),
        product: (product) => this.#show([product]),
        sold: (order) => this.#emit('checkout', order),
      },
      () => this.maxPerSession,
    )
  }

  /**
   * Listens for one kind of news; returns the undo.
   * @template {keyof Events} K
   * @param {K} type
   * @param {(detail: Events[K]) => void} listener
   */
  on(type, listener) {
    const listeners = this.#listeners.get(type) ?? new Set()
    this.#listeners.set(type, listeners.add(listener))
    return () => void listeners.delete(listener)
  }

  /**
   * Watches products, live: `onStock` hears what is known of them now and every change after. Returns the
   * undo, which stops the watch once nothing else needs it.
   * @param {Skus} skus
   * @param {(products: Product[]) => void} onStock
   */
  watch(skus, onStock) {
    const watch = { skus }
    this.#watches.add(watch)
    const stopListening = this.on('stock', (products) => {
      const watched = products.filter((product) => skus === '*' || skus.includes(product.sku))
      if (watched.length > 0) onStock(watched)
    })
    const known = [...this.products.values()].filter((product) => skus === '*' || skus.includes(product.sku))
    if (known.length > 0) queueMicrotask(() => this.#watches.has(watch) && onStock(known))
    if (skus !== '*') this.#warnOfUnknown(skus)
    this.#start()
    this.#watchesChanged()
    return () => {
      stopListening()
      this.#watches.delete(watch)
      this.#watchesChanged()
    }
  }

  /** The most of one product a session may hold, once the shop has said it. */
  get maxPerSession() {
    return this.#shopNow?.maxPerSession
  }

  /** What the shop sells and its rules, as last read. */
  shop() {
    this.#shop ??= this.#readShop()
    return this.#shop
  }

  /** Stops following and forgets every listener. */
  close() {
    this.#following?.stop()
    this.#tabs?.leave()
    this.cart.stop()
    this.#listeners.clear()
  }

  /**
   * @template {keyof Events} K
   * @param {K} type
   * @param {Events[K]} detail
   */
  #emit(type, detail) {
    for (const listener of this.#listeners.get(type) ?? []) listener(detail)
  }

  /** @param {any} message */
  #post(message) {
    this.#tabs?.post(message)
  }

  /** Joins the other tabs, the first time anything is watched. */
  #start() {
    if (this.#started) return
    this.#started = true
    const name = `stockpoll:${this.#base.href}:${this.transport}`
    this.#tabs = electLeader(
      name,
      (alone) => {
        this.role = alone ? 'solo' : 'leader'
        // The tabs that were listening to the last leader tell what they watch.
        this.#post({ type: 'who' })
        this.#emit('transport', this.transport)
        this.#watchesChanged()
      },
      (message) => this.#hear(message),
    )
    if (this.role === 'follower') void this.#readStock().catch(() => {})
    globalThis.addEventListener?.('pagehide', () => this.#post({ type: 'gone', tab: this.#tab }))
  }

  /** What every tab watches: `*`, or SKUs the catalog has (a feed refuses any other). */
  #followed() {
    const all = [...[...this.#watches].map((watch) => watch.skus), ...this.#otherTabs.values()]
    if (all.includes('*')) return '*'
    const known = this.#shopNow?.products
    const skus = [...new Set(all.flat())].filter((sku) => !known || known.some((product) => product.sku === sku))
    return skus.length > MAX_WATCHED_SKUS ? '*' : skus.join(',')
  }

  /**
   * Follows what is watched now, once the watches made in this turn (by every element a page upgrades at once,
   * say) are all made: the leader reconnects if that changed; a follower tells the leader.
   */
  #watchesChanged() {
    if (this.#changing) return
    this.#changing = true
    queueMicrotask(() => {
      this.#changing = false
      this.#followWatches()
    })
  }

  #followWatches() {
    if (this.role === 'follower') {
      this.#post({ type: 'watching', tab: this.#tab, skus: this.#ownSkus() })
      return
    }
    const skus = this.#followed()
    if (skus === '') {
      this.#following?.stop()
      this.#following = undefined
    } else if (!this.#following) {
      this.#followingSkus = skus
      this.#following = this.#follow()
    } else if (skus !== this.#followingSkus) this.#following.restart()
  }

  /** @returns {Skus} */
  #ownSkus() {
    const own = [...this.#watches].map((watch) => watch.skus)
    return own.includes('*') ? '*' : [...new Set(own.flat())]
  }

  #follow() {
    return stayLive({
      base: this.#base,
      sockets: this.#sockets,
      transports: this.#transports,
      onTransport: (name) => {
        this.transport = name
        this.#emit('transport', name)
      },
      skus: () => {
        this.#followingSkus = this.#followed()
        return this.#followingSkus
      },
      reload: async () => {
        const cursor = await this.#readStock()
        this.#post({ type: 'reset' })
        return cursor
      },
      apply: (update) => {
        this.#apply(update)
        this.#post({ type: 'update', update })
      },
      setLink: (live) => {
        this.#setLink(live)
        this.#post({ type: 'link', live, transport: this.transport })
      },
    })
  }

  /** @param {boolean} live */
  #setLink(live) {
    this.live = live
    this.#emit('link', live)
  }

  /** @returns {Promise<Shop>} */
  async #readShop() {
    /** @type {Shop} */
    const shop = await request(this.#base, 'products')
    this.#shopNow = shop
    return shop
  }

  /** Reads the stock (and the cart, once the shopper has one) afresh; gives the cursor to follow from. */
  async #readStock() {
    this.#shop = this.#readShop()
    const shop = await this.#shop
    if (shop.epoch === this.#epoch) {
      // An update heard while the read was on its way may be newer than the read: #show keeps the newer.
      this.#version = Math.max(this.#version, shop.version)
    } else {
      this.#epoch = shop.epoch
      this.#version = shop.version
      this.products.clear()
    }
    const own = this.#ownSkus()
    if (own !== '*') this.#warnOfUnknown(own)
    this.#show(shop.products)
    if (this.cart.started) await this.cart.load()
    return { epoch: shop.epoch, version: shop.version }
  }

  /**
   * Warns once of each watched SKU the catalog lacks, once the catalog is read: such a watch shows nothing.
   * @param {readonly string[]} skus
   */
  #warnOfUnknown(skus) {
    const shop = this.#shopNow
    if (!shop) return
    for (const sku of skus) {
      if (this.#warned.has(sku) || shop.products.some((product) => product.sku === sku)) continue
      this.#warned.add(sku)
      console.warn(`stockpoll: the shop at ${this.#base.href} has no product "${sku}"`)
      this.#emit('unknown', sku)
    }
  }

  /**
   * Keeps what is known of the watched products among these, where newer than what was known.
   * @param {Product[]} products
   */
  #show(products) {
    // Until the catalog is read, what is known would come in the order answers come, not the catalog's.
    if (!this.#shopNow) return
    const own = this.#ownSkus()
    const news = products.filter(
      (product) =>
        (own === '*' || own.includes(product.sku)) &&
        product.version >= (this.products.get(product.sku)?.version ?? -1),
    )
    for (const product of news) this.products.set(product.sku, product)
    if (news.length > 0) this.#emit('stock', news)
    for (const product of news) this.cart.heard(product)
  }

  /**
   * Takes an update the server or the leader tab sent; one of another epoch means the stock began again, and
   * everything is read afresh.
   * @param {Update} update
   */
  #apply(update) {
    if (update.epoch !== this.#epoch) return void this.#readStock().catch(() => {})
    if (update.version > this.#version) this.#version = update.version
    this.#show(update.products)
  }

  /**
   * What another tab says: the leader hears what the others watch; the others, what the leader heard.
   * @param {any} message
   */
  #hear(message) {
    if (this.role !== 'follower') {
      if (message.type === 'watching') {
        this.#otherTabs.set(message.tab, message.skus)
        this.#post({ type: 'link', live: this.live, transport: this.transport })
        this.#watchesChanged()
      } else if (message.type === 'gone') {
        this.#otherTabs.delete(message.tab)
        this.#watchesChanged()
      }
      return
    }
    if (message.type === 'who') this.#watchesChanged()
    else if (message.type === 'reset') void this.#readStock().catch(() => {})
    else if (message.type === 'update') this.#apply(message.update)
    else if (message.type === 'link') {
      if (message.transport !== this.transport) this.#emit('transport', (this.transport = message.transport))
      this.#setLink(message.live)
    }
  }
}

export { TRANSPORTS }
