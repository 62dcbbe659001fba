/**
 * A stream or socket whose unsent bytes pass this many belongs to a client that stopped reading: it is cut,
 * not buffered for. A client that reads is never near it, since each event or frame is a few KB at most.
 */
export const MAX_BACKLOG_BYTES = 64 * 1024
