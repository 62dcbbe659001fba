// @ts-check
// One push connection per browser: the shop's tabs elect a leader with the Web Locks API, only the leader
// follows the server, and it relays what it hears to the other tabs over a BroadcastChannel. When the leader
// tab closes, or its client is closed, its lock is released and the next waiting tab takes over at once.

/**
 * The tab's place among the tabs: `post` sends a message to the others, `leave` gives up the lead (or the
 * wait for it) and the channel.
 * @typedef {{ post: (message: any) => void, leave: () => void }} Membership
 */

/**
 * Calls `lead(alone)` in the tab that holds the lock named `name`, now or once it is released; `onMessage`
 * hears the other tabs' messages. Where a browser lacks either API (or in Node) the tab leads alone (`alone`
 * is true), and hears and tells no other.
 * @param {string} name
 * @param {(alone: boolean) => void} lead
 * @param {(message: any) => void} onMessage
 * @returns {Membership}
 */
export function electLeader(name, lead, onMessage) {
  if (!globalThis.navigator?.locks || typeof BroadcastChannel !== 'function') {
    lead(true)
    return { post: () => {}, leave: () => {} }
  }
  const channel = new BroadcastChannel(name)
  channel.onmessage = (event) => onMessage(event.data)
  const leaving = new AbortController()
  /** @type {() => void} */
  let resign = () => {}
  navigator.locks
    .request(name, { signal: leaving.signal }, () => {
      lead(false)
      // Held until the tab closes or leaves, either of which releases the lock.
      return new Promise((resolve) => (resign = () => resolve(undefined)))
    })
    // A tab that leaves while it waits is refused the lock: that is what leaving is.
    .catch(() => {})
  return {
    post: (message) => channel.postMessage(message),
    leave() {
      leaving.abort()
      resign()
      channel.close()
    },
  }
}
