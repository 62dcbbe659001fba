import type { StockSnapshot } from '../domain/stock-snapshot.js'

/** A version of the stock as it goes on the wire: serialised once, then sent to every waiter as it is. */
export interface Published {
  readonly snapshot: StockSnapshot
  readonly json: string
}

export function publishedOf(snapshot: StockSnapshot): Published {
  return { snapshot, json: JSON.stringify(snapshot) }
}
