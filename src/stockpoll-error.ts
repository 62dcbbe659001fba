/**
 * What every error stockpoll throws on purpose has: a `code` that a client or an operator can act on, and
 * the name of its class.
 */
export abstract class StockpollError extends Error {
  abstract readonly code: string

  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}
