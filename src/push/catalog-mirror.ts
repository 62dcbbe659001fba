import type { CatalogChange, CatalogSnapshot } from '../domain/catalog.js'
import type { ProductStock } from '../domain/product.js'
import { StockDisplay } from '../domain/stock-display.js'
import { skusOf, type Cursor, type Watch } from './watch.js'

/** How many recent changes are remembered, to tell which products changed since a recent cursor. */
const CHANGE_LOG_LENGTH = 1024

/** Every change is news where shoppers see every count. */
const EXACT = new StockDisplay({ mode: 'exact', lowAt: 0 })

/**
 * The catalog as this process last heard of it: its epoch, its version, every product's stock, and which
 * products the recent changes touched. It answers what a client lacks, and whether a SKU is in the catalog.
 * A change that shoppers cannot see (where the display hides the counts, one that leaves the level as it
 * was) is kept, but is news to nobody: it wakes no client, and no client lacks it.
 */
export class CatalogMirror {
  #epoch: string
  #version: number
  /** In catalog order. */
  #products: Map<string, ProductStock>
  /** The version at which each product last changed as shoppers see it, and at which any did. */
  #shownAt: Map<string, number>
  #newsAt: number
  /** The SKUs each recent change showed shoppers news of, oldest first, by version. */
  #log: { readonly version: number; readonly skus: readonly string[] }[] = []

  constructor(
    initial: CatalogSnapshot,
    readonly display: StockDisplay = EXACT,
  ) {
    this.#epoch = initial.epoch
    this.#version = initial.version
    this.#products = new Map(initial.products.map((product) => [product.sku, product]))
    this.#shownAt = new Map(initial.products.map(({ sku, version }) => [sku, version]))
    this.#newsAt = initial.version
  }

  get epoch(): string {
    return this.#epoch
  }

  /** The catalog's version: the latest change heard of. */
  get version(): number {
    return this.#version
  }

  has(sku: string): boolean {
    return this.#products.has(sku)
  }

  product(sku: string): ProductStock | undefined {
    return this.#products.get(sku)
  }

  snapshot(): CatalogSnapshot {
    return { epoch: this.#epoch, version: this.#version, products: [...this.#products.values()] }
  }

  /**
   * Takes a change in. One of another epoch replaces everything: `'new-epoch'`. Otherwise keeps the products
   * it has newer than those kept (a repeat, or one out of order, has none), and gives those of them whose
   * change shoppers can see.
   */
  take(change: CatalogChange): readonly ProductStock[] | 'new-epoch' {
    if (change.epoch !== this.#epoch) {
      this.#epoch = change.epoch
      this.#version = change.version
      this.#products = new Map(change.products.map((product) => [product.sku, product]))
      this.#shownAt = new Map(change.products.map(({ sku, version }) => [sku, version]))
      this.#newsAt = change.version
      this.#log = []
      return 'new-epoch'
    }
    const news: ProductStock[] = []
    for (const product of change.products) {
      const kept = this.#products.get(product.sku)
      if (kept && product.version <= kept.version) continue
      this.#products.set(product.sku, product)
      this.#version = Math.max(this.#version, change.version)
      if (kept && this.display.looksAlike(kept, product)) continue
      this.#shownAt.set(product.sku, product.version)
      news.push(product)
    }
    if (news.length === 0) return news
    this.#newsAt = Math.max(this.#newsAt, change.version)
    this.#log.push({ version: change.version, skus: news.map(({ sku }) => sku) })
    if (this.#log.length > CHANGE_LOG_LENGTH) this.#log.shift()
    return news
  }

  /** Whether a client at `cursor` lacks something it watches: it names another epoch, or a product moved past it. */
  lacks(watch: Watch, { version, epoch }: Cursor): boolean {
    if (epoch !== undefined && epoch !== this.#epoch) return true
    const skus = skusOf(watch)
    if (!skus) return version < this.#newsAt
    return skus.some((sku) => (this.#shownAt.get(sku) ?? -1) > version)
  }

  /**
   * What a client watching `watch` lacks since the version `since` (-1: all it watches), and the products of
   * `fresh` whatever their version.
   */
  lacked(watch: Watch, since: number, fresh?: ReadonlySet<string>): ProductStock[] {
    const newer = (product: ProductStock | undefined): product is ProductStock =>
      product !== undefined && ((this.#shownAt.get(product.sku) ?? -1) > since || (fresh?.has(product.sku) ?? false))
    const skus = skusOf(watch)
    if (skus) return skus.map((sku) => this.#products.get(sku)).filter(newer)
    return this.#changedSince(since).filter(newer)
  }

  /** The products that may have moved past `version`, from the change log when it reaches back that far. */
  #changedSince(version: number): (ProductStock | undefined)[] {
    const oldest = this.#log[0]
    if (!oldest || oldest.version > version + 1) return [...this.#products.values()]
    const skus = new Set<string>()
    for (const change of this.#log) if (change.version > version) for (const sku of change.skus) skus.add(sku)
    return [...skus].map((sku) => this.#products.get(sku))
  }
}
