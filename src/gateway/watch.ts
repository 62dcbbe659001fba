import { UnknownProductError } from '../domain/unknown-product-error.js'
import type { CatalogMirror } from '../push/catalog-mirror.js'
import type { Update } from '../push/update.js'
import type { Watch } from '../push/watch.js'
import type { ClassicApi } from './classic.js'
import { catalogBody } from '../edge/stock-bodies.js'

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

/** An update as the catalog's JSON: the products a client lacks, with the version and epoch. */
export const catalogJson = (update: Update) => JSON.stringify(catalogBody(update))
