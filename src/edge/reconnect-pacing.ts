/**
 * Clients answered by a timeout or by a closing server would otherwise all come back in the same instant:
 * they polled together, or the server answered them together. Each is told to wait a random time up to this.
 */
export const RECONNECT_JITTER_MS = 1000

/** A random wait before reconnecting, in whole ms from 0 up to `RECONNECT_JITTER_MS`. */
export const jitteredReconnectMs = (): number => Math.floor(Math.random() * RECONNECT_JITTER_MS)
