import type { StockSnapshot } from '../domain/stock-snapshot.js'

/** A version of the stock as it goes on the wire: serialised once, then sent to every waiter. */
export interface Published {
  readonly snapshot: StockSnapshot
  readonly json: string
  /** The length of `json` in UTF-8 bytes: its Content-Length. */
  readonly byteLength: number
}

export function publishedOf(snapshot: StockSnapshot): Published {
  const json = JSON.stringify(snapshot)
  return { snapshot, json, byteLength: Buffer.byteLength(json) }
}
