import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** The message of a request's line: such lines come by the thousand a second under load. */
export const REQUEST_LINE = 'request'

/** How long a request's line may wait to be written with the next ones, and how many bytes of them are written at once. */
const BATCH_MS = 200
const BATCH_BYTES = 4096

/**
 * stdout, written without blocking the event loop, and in batches: one write per line, handed to another
 * thread, cost a request about as much as the rest of its handling (docs/performance.md). pino writes what is
 * buffered before the process exits; a process killed outright loses the last `BATCH_MS` of request lines.
 */
function batchedStdout(): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES })
  setInterval(() => stdout.flush(), BATCH_MS).unref()
  return stdout
}

/**
 * stockpoll's log: one JSON object per line, `level` by name, `time` in ISO 8601, `msg`, and fields; an
 * error under `err`, with its stack. Request lines are written in batches; every other line at once.
 */
export function createLogger(level: LogLevel, destination: DestinationStream = batchedStdout()): Logger {
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, write) {
          write.apply(this, args)
          if (args.at(-1) !== REQUEST_LINE) this.flush()
        },
      },
    },
    destination,
  )
}

/** A log that writes nothing: for code that is given none, as in tests that do not read the log. */
export const silentLogger: Logger = createLogger('silent', { write: () => {} })
