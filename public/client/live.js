// @ts-check
// Keeps a client live: reads the stock afresh at the start and after every break, since a server that went
// away may have come back with other stock, then follows the best transport it has. A transport that fails
// twice to open while the server answers gives way to the next (SSE, then WebSocket, then the long poll,
// which works wherever plain requests do). Any failure shows the link as reconnecting and waits longer each
// time; a restart (what is followed changed) comes back at once.
import { retryDelay, sleep } from './http.js'
import { follow } from './feeds.js'

/** @typedef {import('./feeds.js').TransportName} TransportName */

/**
 * @typedef {object} LiveView
 * @property {URL} base
 * @property {import('./feeds.js').Sockets} sockets
 * @property {TransportName[]} transports the transports to try, best first
 * @property {(name: TransportName) => void} onTransport hears the transport followed from now on
 * @property {() => string} skus what to follow: SKUs, comma-separated, or `*` for the whole catalog
 * @property {() => Promise<import('./feeds.js').Cursor>} reload reads the stock afresh and gives the cursor
 * @property {(update: import('./types.js').Update) => void} apply takes an update the feed sent
 * @property {(live: boolean) => void} setLink hears whether the link is live
 */

/**
 * Follows the server until stopped.
 * @param {LiveView} view
 * @returns {{ restart: () => void, stop: () => void }} `restart` reconnects now, to follow what `skus` says now
 */
export function stayLive(view) {
  let controller = new AbortController()
  let stopped = false
  let transport = 0
  view.onTransport(/** @type {TransportName} */ (view.transports[0]))

  async function run() {
    let failures = 0
    let streamFailures = 0
    while (!stopped) {
      const { signal } = controller
      let opened = false
      let reached = false
      const onOpen = () => {
        opened = true
        failures = 0
      }
      let failure
      try {
        const cursor = await view.reload()
        signal.throwIfAborted()
        reached = true
        view.setLink(true)
        const name = /** @type {TransportName} */ (view.transports[transport])
        const onUpdate = (/** @type {import('./types.js').Update} */ update) => {
          onOpen()
          view.apply(update)
        }
        await follow(name, cursor, onUpdate, {
          base: view.base,
          sockets: view.sockets,
          onOpen,
          skus: view.skus(),
          signal,
        })
      } catch (error) {
        failure = error
      }
      if (signal.aborted) continue
      if (opened) streamFailures = 0
      else if (reached && transport < view.transports.length - 1 && ++streamFailures >= 2) {
        streamFailures = 0
        view.onTransport(/** @type {TransportName} */ (view.transports[++transport]))
      }
      failures++
      view.setLink(false)
      await sleep(retryDelay(failures, failure))
    }
  }
  void run()

  return {
    restart() {
      controller.abort()
      controller = new AbortController()
    },
    stop() {
      stopped = true
      controller.abort()
    },
  }
}
