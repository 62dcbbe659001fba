import { z } from 'zod'
import type { CatalogSnapshot } from '../domain/catalog.js'
import type { ProductStock } from '../domain/product.js'
import { STOCK_LEVELS, type StockDisplay } from '../domain/stock-display.js'
import type { CartLine } from '../store/store.js'

/**
 * The bodies of the stock's answers: each a zod schema, which `GET /openapi.json` describes, and the function
 * that builds it, whose type is the schema's, so that the two cannot part. Instants are ISO 8601 text in UTC.
 */

const count = z.number().int().min(0)
export const instant = z.iso.datetime()
export const isoOf = (ms: number): string => new Date(ms).toISOString()

/** A product's stock as the admin sees it: every count. */
export const stockViewBody = z.object({
  sku: z.string(),
  name: z.string(),
  onHand: count.meta({ description: 'The units the shop has, held ones included' }),
  held: count.meta({ description: 'The units in carts' }),
  available: count.meta({ description: 'What is left to put in a cart' }),
  version: count.meta({ description: "The catalog's version when this product last changed" }),
  archived: z
    .literal(true)
    .optional()
    .meta({ description: 'The shop archived it: no longer sold, it takes no new holds; absent while sold' }),
  holdsTakenAt: count.optional().meta({
    description:
      "The catalog's version when a sale made elsewhere last took units from carts' holds of it (takeFromHolds); " +
      'a client that holds some reads its cart again to learn whether its own hold was cut. Absent until one has',
  }),
})

const level = z.enum(STOCK_LEVELS).meta({ description: 'sold_out, low (at or under LOW_STOCK_AT left) or in_stock' })

/**
 * A product's stock as shoppers see it: its level, the counts `STOCK_DISPLAY` shows them, and with
 * `SHOW_HOLDS` what carts hold and when the next hold lapses.
 */
export const shopperStockBody = stockViewBody
  .partial({ onHand: true, held: true, available: true })
  .extend({
    level,
    nextLapseAt: instant.optional().meta({
      description: 'With SHOW_HOLDS, when the next of its holds lapses, its units back to stock unless renewed',
    }),
  })
  .meta({
    description:
      'The counts are there as STOCK_DISPLAY shows them: all when exact, available once low; held with SHOW_HOLDS',
  })

export const classicStockBody = z.object({
  inventoryCount: count.optional().meta({ description: 'What is left of the default product, where shown' }),
  totalInventory: count.optional(),
  level: level.optional().meta({ description: 'With STOCK_DISPLAY low or level, in place of the counts' }),
  version: count,
  epoch: z.string().meta({ description: 'This life of the stock: a version is a cursor only with it' }),
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
  product: shopperStockBody,
})

export const catalogBodySchema = z.object({ epoch: z.string(), version: count, products: z.array(shopperStockBody) })

/** What `GET /products` tells a shop's page: the catalog, the cap on a cart line, and the shop's name. */
export const shopBodySchema = catalogBodySchema.extend({
  maxPerSession: z.number().int().min(1),
  shopName: z.string().optional().meta({ description: "The shop's name (SHOP_NAME), when it has one" }),
  checkout: z.enum(['open', 'backend']).meta({
    description: "open: a shopper checks out their own cart; backend: only the shop's back end does (CHECKOUT)",
  }),
})

/**
 * The stock's answers to shoppers, as the shop's `STOCK_DISPLAY` lets them see it, on every route and
 * transport alike.
 */
export class StockBodies {
  constructor(readonly display: StockDisplay) {}

  /** A product's stock as shoppers see it. */
  product(product: ProductStock): z.infer<typeof shopperStockBody> {
    const { level, nextLapse, ...counts } = this.display.shown(product)
    const { sku, name, version } = product
    return { sku, name, ...counts, level, ...(nextLapse !== undefined && { nextLapseAt: isoOf(nextLapse) }), version }
  }

  /**
   * A product's stock as the classic, one-product API has always answered it (what is left, of how many, at
   * which version, in which epoch), or, where the counts are not shown, its level.
   */
  classic(product: ProductStock, epoch: string): z.infer<typeof classicStockBody> {
    const { version } = product
    const { level, onHand, available } = this.display.shown(product)
    if (this.display.mode === 'exact') return { inventoryCount: available, totalInventory: onHand, version, epoch }
    return { ...(available !== undefined && { inventoryCount: available }), level, version, epoch }
  }

  /** A cart line as clients are sent it. */
  line({ sku, quantity, holdUntil, lapsed, product }: CartLine, now: number): z.infer<typeof lineBodySchema> {
    return { sku, quantity, holdExpiresInSeconds: secondsUntil(holdUntil, now), lapsed, product: this.product(product) }
  }

  /** Products of the catalog as clients are sent them, with the epoch and version they are of. */
  catalog({ epoch, version, products }: CatalogSnapshot): z.infer<typeof catalogBodySchema> {
    return { epoch, version, products: products.map((product) => this.product(product)) }
  }

  /** How many are left, for a refusal's message and fields: only where shoppers may be told. */
  left(available: number): number | undefined {
    return this.display.showsCount(available) ? available : undefined
  }
}
