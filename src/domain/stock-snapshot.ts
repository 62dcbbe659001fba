/** How much is left, of how much, at which version of the stock: the count the rules of the cart keep. */
export interface StockCount {
  readonly inventoryCount: number
  readonly totalInventory: number
  readonly version: number
}

/**
 * What every window is shown: the count, and the epoch it belongs to. An epoch names one life of the
 * stock's state, within which versions only grow; a new epoch (a restarted process, or lost keys) starts
 * counting again, so a version is a cursor only together with its epoch.
 */
export interface StockSnapshot extends StockCount {
  readonly epoch: string
}
