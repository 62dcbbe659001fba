/** What every window is shown: how much is left, of how much, and at which version of the stock. */
export interface StockSnapshot {
  readonly inventoryCount: number
  readonly totalInventory: number
  readonly version: number
}
