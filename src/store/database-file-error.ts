import { StoreUnusableError } from './store-unusable-error.js'

/**
 * The SQLite store's file cannot be used: a path it cannot write, a file of another application, a database
 * of a newer stockpoll, or one another process holds.
 */
export class DatabaseFileError extends StoreUnusableError {
  readonly code = 'database_file_unusable'
}
