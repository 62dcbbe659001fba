// @ts-check
// The three ways to hear of changes. Each opens one connection from a cursor ({ version, epoch }), calls
// `onOpen` once it is open and `onUpdate` with every update it is sent, and returns a promise that rejects
// when the connection breaks or `signal` aborts it; none of them retries, since the caller decides when and
// how to come back. An update of another epoch than the cursor's means the stock began again.
//
// A feed carries `{ epoch, version, products }` updates of what it follows: `skus`, a comma-separated list
// of SKUs or `*` for the whole catalog.
import { request } from './http.js'

/** @typedef {{ version: number, epoch: string }} Cursor */
/** @typedef {import('./types.js').Update} Update */
/**
 * What a feed needs besides its cursor. `sockets` are the constructors to open streams and sockets with: the
 * browser's, or, in Node, any that behave as theirs (such as the `ws` package's WebSocket).
 * @typedef {object} FeedOptions
 * @property {URL} base
 * @property {string} skus
 * @property {() => void} onOpen
 * @property {AbortSignal} signal
 * @property {Sockets} sockets
 */
/** @typedef {{ EventSource?: typeof EventSource | undefined, WebSocket?: typeof WebSocket | undefined }} Sockets */
/** @typedef {(since: Cursor, onUpdate: (update: Update) => void, options: FeedOptions) => Promise<never>} Feed */

/** Transports by the name `?transport=` gives them, in the order a client tries them. */
export const TRANSPORTS = /** @type {const} */ (['sse', 'ws', 'longpoll'])
/** @typedef {typeof TRANSPORTS[number]} TransportName */

/**
 * The transports these sockets can open, best first: the long poll needs only `fetch`.
 * @param {Sockets} sockets
 * @returns {TransportName[]}
 */
export const transportsFor = (sockets) =>
  TRANSPORTS.filter((name) => name === 'longpoll' || sockets[name === 'sse' ? 'EventSource' : 'WebSocket'])

/**
 * @param {Cursor} cursor
 * @param {string} skus
 */
const query = ({ version, epoch }, skus) =>
  `skus=${encodeURIComponent(skus)}&since=${version}&epoch=${encodeURIComponent(epoch)}`

/**
 * Rejects once `signal` aborts, after closing what `close` closes.
 * @param {AbortSignal} signal
 * @param {() => void} close
 * @param {(error: Error) => void} reject
 */
function closeOnAbort(signal, close, reject) {
  signal.addEventListener('abort', () => {
    close()
    reject(new Error('stopped'))
  })
}

/** Server-Sent Events from `since` on. The browser's own reconnect is not used: the caller re-reads first. @type {Feed} */
function viaEvents(since, onUpdate, { base, onOpen, skus, signal, sockets }) {
  return new Promise((_resolve, reject) => {
    const Source = /** @type {typeof EventSource} */ (sockets.EventSource)
    const source = new Source(new URL(`events?${query(since, skus)}`, base))
    source.onopen = onOpen
    source.addEventListener('products', (event) => onUpdate(JSON.parse(event.data)))
    source.onerror = () => {
      source.close()
      reject(new Error('the event stream broke'))
    }
    closeOnAbort(signal, () => source.close(), reject)
  })
}

/** A WebSocket, which sends what it follows on connect and each change after. @type {Feed} */
function viaWebSocket(_since, onUpdate, { base, onOpen, skus, signal, sockets }) {
  return new Promise((_resolve, reject) => {
    const url = new URL(`ws?skus=${encodeURIComponent(skus)}`, base)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const Socket = /** @type {typeof WebSocket} */ (sockets.WebSocket)
    const socket = new Socket(url)
    socket.onopen = onOpen
    socket.onmessage = (event) => {
      const { type, ...update } = JSON.parse(String(event.data))
      if (type === 'products') onUpdate(/** @type {Update} */ (update))
    }
    // Every error is followed by the close, which is what ends the feed.
    socket.onerror = () => {}
    socket.onclose = () => reject(new Error('the WebSocket closed'))
    closeOnAbort(signal, () => socket.close(), reject)
  })
}

/**
 * The long poll: ask for anything after the cursor, pass it on, and ask again after the `retryAfterMs` the
 * server gave: at once after a change, a moment later after a timeout or while it shuts down, so that all
 * its clients do not come back in the same instant.
 * @type {Feed}
 */
async function viaLongPoll(since, onUpdate, { base, skus, signal }) {
  let cursor = since
  for (;;) {
    // `resync` needs no handling here: the caller sees the new epoch in the update itself.
    const { retryAfterMs, resync, ...update } = await request(base, `status?${query(cursor, skus)}`, { signal })
    onUpdate(update)
    cursor = update
    if (retryAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, retryAfterMs))
    signal.throwIfAborted()
  }
}

/** @type {Record<TransportName, Feed>} */
const FEEDS = { sse: viaEvents, ws: viaWebSocket, longpoll: viaLongPoll }

/**
 * Follows the stock over `transport` from the cursor `since` until the connection breaks or is stopped.
 * @param {TransportName} transport
 * @param {Cursor} since
 * @param {(update: Update) => void} onUpdate
 * @param {FeedOptions} options
 */
export const follow = (transport, since, onUpdate, options) => FEEDS[transport](since, onUpdate, options)
