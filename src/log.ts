// Structured logs: one JSON object per line on stdout, at or above the level LOG_LEVEL names.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 }

const isLevel = (value: string | undefined): value is LogLevel => LOG_LEVELS.includes(value as LogLevel)

// Read here as well as by loadConfig, so that code run without the server's entry point (tests, tools)
// logs at the level its environment asks for.
let threshold = RANK[isLevel(process.env.LOG_LEVEL) ? process.env.LOG_LEVEL : 'info']

export function setLogLevel(level: LogLevel): void {
  threshold = RANK[level]
}

type Fields = Readonly<Record<string, unknown>>

function write(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Fields): void {
  if (RANK[level] < threshold) return
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`)
}

export const log = {
  debug: (msg: string, fields?: Fields) => write('debug', msg, fields),
  info: (msg: string, fields?: Fields) => write('info', msg, fields),
  warn: (msg: string, fields?: Fields) => write('warn', msg, fields),
  error: (msg: string, fields?: Fields) => write('error', msg, fields),
}

/** An error as log fields: its message and stack, which `JSON.stringify` would drop. */
export const errorFields = (error: unknown): Fields =>
  error instanceof Error ? { error: error.message, stack: error.stack } : { error: String(error) }
