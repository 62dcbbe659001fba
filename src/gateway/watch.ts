import { UnknownProductError } from '../domain/unknown-product-error.js'
import type { CatalogMirror } from '../push/catalog-mirror.js'
import type { Watch } from '../push/watch.js'
import type { ClassicApi } from './classic.js'

/**
 * What a client watches, from the `skus` it named: none is the classic client, which watches the default
 * product; `*` the whole catalog; else those products, each of which must be in the catalog.
 */
export function watchOf(skus: '*' | readonly string[] | undefined, classic: ClassicApi, catalog: CatalogMirror): Watch {
  if (skus === undefined) return classic.watch
  if (skus === '*') return { kind: 'all' }
  const unknown = skus.find((sku) => !catalog.has(sku))
  if (unknown !== undefined) throw new UnknownProductError(unknown)
  return { kind: 'products', skus }
}
