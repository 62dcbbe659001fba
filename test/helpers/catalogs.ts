import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CatalogSnapshot } from '../../src/domain/catalog.js'
import { DEFAULT_PRODUCT, type ProductDefinition, type ProductStock } from '../../src/domain/product.js'
import type { Watch } from '../../src/push/watch.js'
import type { Update } from '../../src/push/update.js'

/** What a classic client watches: the default product. */
export const CLASSIC_WATCH: Watch = { kind: 'products', skus: [DEFAULT_PRODUCT.sku] }

/** The default product alone, with `onHand` units: the classic shop's catalog. */
export const classicCatalog = (onHand = DEFAULT_PRODUCT.onHand): ProductDefinition[] => [{ ...DEFAULT_PRODUCT, onHand }]

/** `count` products, `sku-0` on, each with `onHand` units. */
export const products = (count: number, onHand = 10): ProductDefinition[] =>
  Array.from({ length: count }, (_, i) => ({ sku: `sku-${i}`, name: `Product ${i}`, onHand }))

/** A product's stock at `version`. */
export const stockOf = (sku: string, version: number, held = 0, onHand = 10): ProductStock => ({
  sku,
  name: sku,
  onHand,
  held,
  version,
})

/** The one-product catalog at `version`, with `inventoryCount` of 10 left. */
export const oneProduct = (version: number, inventoryCount = 10 - version, epoch = 'first-life'): CatalogSnapshot => ({
  epoch,
  version,
  products: [{ ...DEFAULT_PRODUCT, held: 10 - inventoryCount, version }],
})

/** What a classic client sees of an update or a catalog: its one product's count and version, and the epoch. */
export function seen({ epoch, products }: Update | CatalogSnapshot) {
  const [product] = products
  if (!product) throw new Error('nothing in it')
  return { inventoryCount: product.onHand - product.held, version: product.version, epoch }
}

/** A catalog file of `definitions` (with any fields of the shop's own), in a fresh temporary folder, for `CATALOG_FILE`. */
export function catalogFile<Entry extends ProductDefinition>(definitions: readonly Entry[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'stockpoll-catalog-')), 'catalog.json')
  writeFileSync(path, JSON.stringify(definitions))
  return path
}
