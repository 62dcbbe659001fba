import type { StockSnapshot } from '../domain/stock-snapshot.js'

/** A version of the stock as it goes on the wire: serialised and encoded once, then sent to every waiter. */
export interface Published {
  readonly snapshot: StockSnapshot
  readonly json: string
  /** `json` as UTF-8 bytes, ready to write to any number of sockets. */
  readonly bytes: Buffer
}

export function publishedOf(snapshot: StockSnapshot): Published {
  const json = JSON.stringify(snapshot)
  return { snapshot, json, bytes: Buffer.from(json) }
}
