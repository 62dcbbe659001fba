import type { ProductStock } from '../domain/product.js'
import type { CatalogMirror } from '../push/catalog-mirror.js'
import type { Update } from '../push/update.js'
import type { Watch } from '../push/watch.js'

/**
 * The classic, one-product API, over the catalog's: a client that names no product watches the default one
 * as any client watches a product, and is answered in the classic shape, always with that product's stock,
 * changed or not (a timeout's answer too).
 */
export class ClassicApi {
  readonly watch: Watch

  constructor(
    /** The product classic clients act on and watch: the catalog's first. */
    readonly sku: string,
    readonly catalog: CatalogMirror,
  ) {
    this.watch = { kind: 'products', skus: [sku] }
  }

  /**
   * The product's stock at the update's version: in it when it changed, else as the catalog has it now, which
   * is the same, since an update is encoded in the turn it is built, before any later change is heard.
   */
  stockOf(update: Update): ProductStock {
    return update.products[0] ?? this.catalog.product(this.sku)!
  }
}
