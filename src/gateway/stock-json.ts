import type { StockBodies } from '../edge/stock-bodies.js'
import type { Encoding } from '../push/update.js'
import type { ClassicApi } from './classic.js'

/**
 * Updates as the JSON clients are sent, the stock shown as the shop's display lets shoppers see it: one
 * encoding of each shape, shared by every transport, so that each update is encoded once per shape.
 */
export class StockJson {
  constructor(
    readonly bodies: StockBodies,
    readonly classicApi: ClassicApi,
  ) {}

  /** The products a client lacks, with the version and epoch. */
  readonly catalog: Encoding = (update) => JSON.stringify(this.bodies.catalog(update))

  /** The default product's stock, as the classic API answers it, changed or not. */
  readonly classic: Encoding = (update) =>
    JSON.stringify(this.bodies.classic(this.classicApi.stockOf(update), update.epoch))
}
