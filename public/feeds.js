// The three ways the page can hear of changes. Each opens one connection from a cursor ({ version, epoch }),
// calls `onOpen` once it is open and `onStock` with every snapshot it is sent, and returns a promise that
// rejects when the connection breaks; none of them retries, since the caller decides when and how to come
// back. A snapshot of another epoch than the cursor's means the stock began again: the caller redraws.

/** Transports by the name `?transport=` gives them. */
export const TRANSPORTS = ['sse', 'ws', 'longpoll']

const query = ({ version, epoch }) => `since=${version}&epoch=${encodeURIComponent(epoch)}`

/** Server-Sent Events from `since` on. The browser's own reconnect is not used: the caller re-reads first. */
function viaEvents(since, onStock, { onOpen }) {
  return new Promise((_resolve, reject) => {
    const source = new EventSource(`/events?${query(since)}`)
    source.onopen = onOpen
    source.addEventListener('stock', (event) => onStock(JSON.parse(event.data)))
    source.onerror = () => {
      source.close()
      reject(new Error('the event stream broke'))
    }
  })
}

/** A WebSocket, which sends the current stock on connect and each change after. */
function viaWebSocket(_since, onStock, { onOpen }) {
  return new Promise((_resolve, reject) => {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`)
    socket.onopen = onOpen
    socket.onmessage = (event) => {
      const { type, ...stock } = JSON.parse(event.data)
      if (type === 'stock') onStock(stock)
    }
    socket.onclose = () => reject(new Error('the WebSocket closed'))
  })
}

/**
 * The long poll: ask for anything after the cursor, pass it on, and ask again after the `retryAfterMs` the
 * server gave: at once after a change, a moment later after a timeout or while it shuts down, so that all
 * its clients do not come back in the same instant.
 */
async function viaLongPoll(since, onStock, { api }) {
  let cursor = since
  for (;;) {
    // `resync` needs no handling here: the caller sees the new epoch in the stock itself.
    const { retryAfterMs, resync, ...stock } = await api(`/status?${query(cursor)}`)
    onStock(stock)
    cursor = stock
    if (retryAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, retryAfterMs))
  }
}

const FEEDS = { sse: viaEvents, ws: viaWebSocket, longpoll: viaLongPoll }

/**
 * Follows the stock over `transport` from the cursor `since` until the connection breaks. `api` is the page's
 * JSON fetch, which the long poll uses.
 */
export const follow = (transport, since, onStock, { api, onOpen }) => FEEDS[transport](since, onStock, { api, onOpen })
