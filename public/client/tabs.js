// @ts-check
// One push connection per browser: the shop's tabs elect a leader with the Web Locks API, only the leader
// follows the server, and it relays what it hears to the other tabs over a BroadcastChannel. When the leader
// tab closes, its lock is released and the next waiting tab takes over at once.

/**
 * Calls `lead(relay, alone)` in the tab that holds the lock named `name`, now or once it is released, and
 * returns the channel on which the other tabs hear `relay`'s messages; `onMessage` gets theirs. Where a
 * browser lacks either API the tab leads alone (`alone` is true), with no channel.
 * @param {string} name
 * @param {(relay: (message: any) => void, alone: boolean) => void} lead
 * @param {(message: any) => void} onMessage
 * @returns {BroadcastChannel | undefined}
 */
export function electLeader(name, lead, onMessage) {
  if (!globalThis.navigator?.locks || typeof BroadcastChannel !== 'function') {
    lead(() => {}, true)
    return undefined
  }
  const channel = new BroadcastChannel(name)
  channel.onmessage = (event) => onMessage(event.data)
  void navigator.locks.request(name, () => {
    lead((message) => channel.postMessage(message), false)
    // Held for the life of the tab: closing it is what releases the lock.
    return new Promise(() => {})
  })
  return channel
}
