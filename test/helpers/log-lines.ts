import { createLogger, type Logger, type LogLevel } from '../../src/logger.js'

/** A logger at `level` that keeps its lines, for a test to read what was logged. */
export function recordingLogger(level: LogLevel = 'debug'): {
  readonly logger: Logger
  readonly lines: () => Record<string, unknown>[]
} {
  const written: string[] = []
  const logger = createLogger(level, { write: (line: string) => void written.push(line) })
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) }
}
