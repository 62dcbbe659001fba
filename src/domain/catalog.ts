import type { ProductStock } from './product.js'

/**
 * Products of the catalog at one version, in one epoch: all of them, or those a reader asked for. An epoch
 * names one life of the catalog's state, within which versions only grow; a new epoch (a restarted memory
 * store, lost keys) starts counting again, so a version is a cursor only with its epoch.
 */
export interface CatalogSnapshot {
  readonly epoch: string
  /** Moves by exactly one on every change to any product's stock. */
  readonly version: number
  readonly products: readonly ProductStock[]
}

/**
 * What one change did: the products it touched, each at the catalog's new version. One that starts a new
 * epoch, or reports the state after a gap in what was heard, carries every product.
 */
export interface CatalogChange {
  readonly epoch: string
  readonly version: number
  readonly products: readonly ProductStock[]
}
