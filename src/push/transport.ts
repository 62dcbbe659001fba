/** The ways a client hears of changes: a held long poll, a stream of Server-Sent Events, a WebSocket. */
export const TRANSPORTS = ['longPoll', 'sse', 'ws'] as const
export type Transport = (typeof TRANSPORTS)[number]

/** The transports whose clients stay connected and are sent every version: the hub's subscribers. */
export type StreamTransport = Exclude<Transport, 'longPoll'>

/** A count for every transport, each 0. */
export const noneHeld = (): Record<Transport, number> => ({ longPoll: 0, sse: 0, ws: 0 })
