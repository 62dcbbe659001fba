import { StockpollError } from './stockpoll-error.js'

/** An environment variable with a value the server cannot run with; its message names every one. */
export class ConfigError extends StockpollError {
  readonly code = 'invalid_configuration'
}
