import { StockpollError } from '../stockpoll-error.js'

/** A SKU the catalog does not have; nothing was done. */
export class UnknownProductError extends StockpollError {
  readonly code = 'unknown_product'

  constructor(readonly sku: string) {
    super(`there is no product ${JSON.stringify(sku)}`)
  }
}
