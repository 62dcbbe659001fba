import { StockpollError } from '../stockpoll-error.js'

/** The SQLite store's file cannot be opened: a path it cannot write, or another process holds it. */
export class DatabaseFileError extends StockpollError {
  readonly code = 'database_file_unavailable'
}
