import type { ProductDefinition, ProductStock } from '../domain/product.js'
import type { StockRepository } from '../store/store.js'

/** What bringing the store in line with a catalog file did, and what it left as it was. */
export interface CatalogSync {
  /** Products of the file the store lacked: added, with the file's `onHand`. */
  readonly added: readonly ProductDefinition[]
  /** Products whose name in the file is new: renamed, their stock untouched. */
  readonly renamed: readonly { readonly sku: string; readonly from: string; readonly to: string }[]
  /**
   * Products whose `onHand` in the file is not the store's: the store's is kept, since stock moves only
   * through the ledger (a sale, a restock, an adjustment), never by a file read at start.
   */
  readonly stockKept: readonly { readonly sku: string; readonly file: number; readonly store: number }[]
  /** Products the store serves that the file does not list: kept, their ledger with them. */
  readonly notInFile: readonly string[]
}

/** How often a rename is tried again when the product's stock moved between its read and its write. */
const ATTEMPTS = 5

/**
 * Brings a store that keeps its catalog in line with the catalog file it is started with: new products are
 * added, new names taken; stock is never overwritten, and products the file does not list are kept. Every
 * write is a compare-and-set of `onHand` against what was read, so that processes starting together on one
 * store, or shoppers meanwhile, change nothing twice: a product another process added first is left to it.
 */
export async function syncCatalog(
  repository: StockRepository,
  file: readonly ProductDefinition[],
): Promise<CatalogSync> {
  const stored = new Map((await repository.catalog()).products.map((product) => [product.sku, product]))
  const listed = new Set(file.map(({ sku }) => sku))
  const sync = {
    added: [] as ProductDefinition[],
    renamed: [] as { sku: string; from: string; to: string }[],
    stockKept: [] as { sku: string; file: number; store: number }[],
    notInFile: [...stored.keys()].filter((sku) => !listed.has(sku)),
  }
  for (const definition of file) {
    const product = stored.get(definition.sku)
    if (!product) {
      const put = await repository.putProduct({ ...definition, expected: 0 })
      if (put.ok && put.created) sync.added.push(definition)
      continue
    }
    if (product.onHand !== definition.onHand) {
      sync.stockKept.push({ sku: product.sku, file: definition.onHand, store: product.onHand })
    }
    if (product.name !== definition.name && (await rename(repository, product, definition.name))) {
      sync.renamed.push({ sku: product.sku, from: product.name, to: definition.name })
    }
  }
  return sync
}

/** Gives a product a new name, its stock as it is: whether it was renamed here (not by another meanwhile). */
async function rename(repository: StockRepository, read: ProductStock, name: string): Promise<boolean> {
  let product: ProductStock | undefined = read
  for (let attempt = 0; attempt < ATTEMPTS && product && product.name !== name; attempt++) {
    const put = await repository.putProduct({
      sku: product.sku,
      name,
      onHand: product.onHand,
      expected: product.onHand,
    })
    if (put.ok) return true
    product = (await repository.catalog([product.sku])).products[0]
  }
  return false
}
