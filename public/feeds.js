// The three ways the page can hear of changes. Each opens one connection, calls `onOpen` once it is open
// and `onStock` with every snapshot it is sent, and returns a promise that rejects when the connection
// breaks; none of them retries, since the caller decides when and how to come back.

/** Transports by the name `?transport=` gives them. */
export const TRANSPORTS = ['sse', 'ws', 'longpoll']

/** Server-Sent Events from `since` on. The browser's own reconnect is not used: the caller re-reads first. */
function viaEvents(since, onStock, { onOpen }) {
  return new Promise((_resolve, reject) => {
    const source = new EventSource(`/events?since=${since}`)
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
 * The long poll: ask for anything after the cursor, pass it on, and ask again at once. Breaks off when the
 * server's version went backwards, which means its stock began again (a restart).
 */
async function viaLongPoll(since, onStock, { api }) {
  let cursor = since
  for (;;) {
    const stock = await api(`/status?since=${cursor}`)
    if (stock.version < cursor) throw new Error('the server began its stock again')
    onStock(stock)
    cursor = stock.version
  }
}

const FEEDS = { sse: viaEvents, ws: viaWebSocket, longpoll: viaLongPoll }

/**
 * Follows the stock over `transport` from version `since` until the connection breaks. `api` is the page's
 * JSON fetch, which the long poll uses.
 */
export const follow = (transport, since, onStock, { api, onOpen }) => FEEDS[transport](since, onStock, { api, onOpen })
