import { UnknownProductError } from '../domain/unknown-product-error.js'
import type { Hub, Watch } from '../push/hub.js'
import type { Update } from '../push/update.js'
import { catalogBody, classicStock } from './stock-bodies.js'

/**
 * What a client watches, from the `skus` it named: none is the classic client, which watches the default
 * product; `*` the whole catalog; else those products, each of which must be in the catalog.
 */
export function watchOf(skus: '*' | readonly string[] | undefined, defaultSku: string, hub: Hub): Watch {
  if (skus === undefined) return { kind: 'product', sku: defaultSku }
  if (skus === '*') return { kind: 'all' }
  const unknown = skus.find((sku) => !hub.has(sku))
  if (unknown !== undefined) throw new UnknownProductError(unknown)
  return { kind: 'products', skus }
}

/** An update as JSON: the classic client's one product as it always was, or the products a watch lacks. */
export const updateJson = (watch: Watch): ((update: Update) => string) =>
  watch.kind === 'product' ? classicJson : catalogJson

const classicJson = (update: Update) => JSON.stringify(classicStock(update.products[0]!, update.epoch))
const catalogJson = (update: Update) => JSON.stringify(catalogBody(update))
