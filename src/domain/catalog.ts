import type { ProductStock } from './product.js'

/**
 * Products of the catalog at one version, in one epoch: all of them (a snapshot), or those one change
 * touched. An epoch names one life of the catalog's state, within which versions only grow; a new epoch (a
 * restarted memory store, lost keys) starts counting again, so a version is a cursor only with its epoch.
 */
export interface Catalog {
  readonly epoch: string
  /** Moves by exactly one on every change to any product's stock. */
  readonly version: number
  readonly products: readonly ProductStock[]
}
