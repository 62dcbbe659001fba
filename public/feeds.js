// @ts-check
// The three ways the page can hear of changes. Each opens one connection from a cursor ({ version, epoch }),
// calls `onOpen` once it is open and `onUpdate` with every update it is sent, and returns a promise that
// rejects when the connection breaks; none of them retries, since the caller decides when and how to come
// back. An update of another epoch than the cursor's means the stock began again: the caller redraws.
//
// A feed carries `{ epoch, version, products }` updates of what it follows: `skus`, a SKU or `*` for the
// whole catalog.

/** @typedef {{ version: number, epoch: string }} Cursor */
/** @typedef {{ onOpen: () => void, api: (path: string) => Promise<any>, skus: string }} FeedOptions */
/** @typedef {(since: Cursor, onUpdate: (update: any) => void, options: FeedOptions) => Promise<never>} Feed */

/** Transports by the name `?transport=` gives them. */
export const TRANSPORTS = ['sse', 'ws', 'longpoll']

/**
 * @param {Cursor} cursor
 * @param {string} skus
 */
const query = ({ version, epoch }, skus) =>
  `skus=${encodeURIComponent(skus)}&since=${version}&epoch=${encodeURIComponent(epoch)}`

/** Server-Sent Events from `since` on. The browser's own reconnect is not used: the caller re-reads first. @type {Feed} */
function viaEvents(since, onUpdate, { onOpen, skus }) {
  return new Promise((_resolve, reject) => {
    const source = new EventSource(`/events?${query(since, skus)}`)
    source.onopen = onOpen
    source.addEventListener('products', (event) => onUpdate(JSON.parse(event.data)))
    source.onerror = () => {
      source.close()
      reject(new Error('the event stream broke'))
    }
  })
}

/** A WebSocket, which sends what it follows on connect and each change after. @type {Feed} */
function viaWebSocket(_since, onUpdate, { onOpen, skus }) {
  return new Promise((_resolve, reject) => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const socket = new WebSocket(`${scheme}://${location.host}/ws?skus=${encodeURIComponent(skus)}`)
    socket.onopen = onOpen
    socket.onmessage = (event) => {
      const { type, ...update } = JSON.parse(event.data)
      if (type === 'products') onUpdate(update)
    }
    socket.onclose = () => reject(new Error('the WebSocket closed'))
  })
}

/**
 * The long poll: ask for anything after the cursor, pass it on, and ask again after the `retryAfterMs` the
 * server gave: at once after a change, a moment later after a timeout or while it shuts down, so that all
 * its clients do not come back in the same instant.
 * @type {Feed}
 */
async function viaLongPoll(since, onUpdate, { api, skus }) {
  let cursor = since
  for (;;) {
    // `resync` needs no handling here: the caller sees the new epoch in the update itself.
    const { retryAfterMs, resync, ...update } = await api(`/status?${query(cursor, skus)}`)
    onUpdate(update)
    cursor = update
    if (retryAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, retryAfterMs))
  }
}

/** @type {Record<string, Feed>} */
const FEEDS = { sse: viaEvents, ws: viaWebSocket, longpoll: viaLongPoll }

/**
 * Follows the stock over `transport` from the cursor `since` until the connection breaks. `api` is the page's
 * JSON fetch, which the long poll uses.
 * @param {string} transport
 * @param {Cursor} since
 * @param {(update: any) => void} onUpdate
 * @param {FeedOptions} options
 */
export const follow = (transport, since, onUpdate, options) => (FEEDS[transport] ?? viaEvents)(since, onUpdate, options)
