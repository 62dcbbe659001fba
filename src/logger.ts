import { pino, type DestinationStream, type Logger } from 'pino'

export type { Logger }

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/**
 * stockpoll's log: one JSON object per line, `level` by name, `time` in ISO 8601, `msg`, and fields; an
 * error under `err`, with its stack. By default written to stdout without blocking the event loop; pino
 * writes what is buffered before the process exits.
 */
export function createLogger(
  level: LogLevel,
  destination: DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
}

/** A log that writes nothing: for code that is given none, as in tests that do not read the log. */
export const silentLogger: Logger = createLogger('silent', { write: () => {} })
