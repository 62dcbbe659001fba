import { StockpollError } from '../stockpoll-error.js'

/**
 * The store was reached but cannot be used as it is set up (a database file stockpoll cannot write or does not
 * own, a Redis that evicts keys): trying again will not help, so a server that meets it at start stops, with
 * exit code 2, and says what to change.
 */
export abstract class StoreUnusableError extends StockpollError {}
