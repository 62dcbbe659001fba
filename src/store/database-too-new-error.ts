import { StoreUnusableError } from './store-unusable-error.js'

/** The PostgreSQL database's tables are of a newer stockpoll than this one, which would misread them. */
export class DatabaseTooNewError extends StoreUnusableError {
  readonly code = 'database_too_new'
}
