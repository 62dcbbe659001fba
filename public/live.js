// @ts-check
// Keeps a view live in the tab that leads (or in a tab alone): reads the stock afresh at the start and after
// every break, since a server that went away may have come back with other stock, then follows the chosen
// transport. A stream that fails twice to open while the server answers gives way to the long poll, which
// works wherever plain requests do. Any failure shows the link as reconnecting and waits longer each time.
import { api, retryDelay, sleep } from './api.js'
import { follow } from './feeds.js'

/**
 * @typedef {object} LiveView
 * @property {() => string} transport the transport to follow over now
 * @property {(name: string) => void} fallBackTo switches to another transport, for every later attempt
 * @property {string} skus what to follow: a SKU, or `*` for the whole catalog
 * @property {() => Promise<import('./feeds.js').Cursor>} reload reads the stock afresh and gives the cursor
 * @property {(update: any) => void} apply shows an update the feed sent
 * @property {(live: boolean) => void} setLink shows whether the link is live
 */

/** @param {LiveView} view */
export async function stayLive(view) {
  let failures = 0
  let streamFailures = 0
  for (;;) {
    let opened = false
    let reached = false
    const onOpen = () => {
      opened = true
      failures = 0
    }
    let failure
    try {
      const cursor = await view.reload()
      reached = true
      view.setLink(true)
      await follow(
        view.transport(),
        cursor,
        (update) => {
          onOpen()
          view.apply(update)
        },
        { api, onOpen, skus: view.skus },
      )
    } catch (error) {
      failure = error
    }
    if (opened) streamFailures = 0
    else if (reached && view.transport() !== 'longpoll' && ++streamFailures >= 2) view.fallBackTo('longpoll')
    failures++
    view.setLink(false)
    await sleep(retryDelay(failures, failure))
  }
}
