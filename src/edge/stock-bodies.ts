import { z } from 'zod'
import type { CatalogSnapshot } from '../domain/catalog.js'
import { availableOf, stockView, type ProductStock } from '../domain/product.js'
import type { CartLine } from '../store/store.js'

/**
 * The bodies of the stock's answers: each a zod schema, which `GET /openapi.json` describes, and the function
 * that builds it, whose type is the schema's, so that the two cannot part.
 */

const count = z.number().int().min(0)

export const stockViewBody = z.object({
  sku: z.string(),
  name: z.string(),
  onHand: count.meta({ description: 'The units the shop has, held ones included' }),
  held: count.meta({ description: 'The units in carts' }),
  available: count.meta({ description: 'What is left to put in a cart' }),
  version: count.meta({ description: "The catalog's version when this product last changed" }),
})

export const classicStockBody = z.object({
  inventoryCount: count.meta({ description: 'What is left of the default product' }),
  totalInventory: count,
  version: count,
  epoch: z.string().meta({ description: 'This life of the stock: a version is a cursor only with it' }),
})

/**
 * A product's stock as the classic, one-product API has always answered it: what is left, of how many, at
 * which version, in which epoch.
 */
export const classicStock = (product: ProductStock, epoch: string): z.infer<typeof classicStockBody> => ({
  inventoryCount: availableOf(product),
  totalInventory: product.onHand,
  version: product.version,
  epoch,
})

/** In how many seconds a hold lapses, from now; null for none. Relative, so that a client's clock does not matter. */
export const secondsUntil = (until: number | null, now: number): number | null =>
  until === null ? null : Math.max(0, Math.ceil((until - now) / 1000))

const holdExpiresInSeconds = count.nullable().meta({ description: 'null: the hold never lapses, or holds nothing' })

export const lineBodySchema = z.object({
  sku: z.string(),
  quantity: count,
  holdExpiresInSeconds,
  lapsed: z.boolean().meta({
    description: 'The hold lapsed and its units went back to stock; a checkout still sells it if they are there',
  }),
  product: stockViewBody,
})

/** A cart line as clients are sent it. */
export const lineBody = (
  { sku, quantity, holdUntil, lapsed, product }: CartLine,
  now: number,
): z.infer<typeof lineBodySchema> => ({
  sku,
  quantity,
  holdExpiresInSeconds: secondsUntil(holdUntil, now),
  lapsed,
  product: stockView(product),
})

export const catalogBodySchema = z.object({ epoch: z.string(), version: count, products: z.array(stockViewBody) })

/** Products of the catalog as clients are sent them, with the epoch and version they are of. */
export const catalogBody = ({ epoch, version, products }: CatalogSnapshot): z.infer<typeof catalogBodySchema> => ({
  epoch,
  version,
  products: products.map(stockView),
})
