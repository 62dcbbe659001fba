import { availableOf, type ProductStock } from './product.js'

/**
 * How much of the stock shoppers may see (`STOCK_DISPLAY`): `exact` counts; only a level, with the count once
 * it is `low` (at or under `LOW_STOCK_AT`), as shops that hide their stock from competitors but tell shoppers
 * to hurry do; or only the level. The admin always sees the exact counts.
 */
export const STOCK_DISPLAYS = ['exact', 'low', 'level'] as const
export type StockDisplayMode = (typeof STOCK_DISPLAYS)[number]

export const STOCK_LEVELS = ['in_stock', 'low', 'sold_out'] as const
export type StockLevel = (typeof STOCK_LEVELS)[number]

/** What shoppers may see of a product's stock: its level, and the counts where the display shows them. */
export interface ShownStock {
  readonly level: StockLevel
  readonly onHand?: number
  readonly held?: number
  readonly available?: number
}

export class StockDisplay {
  constructor(
    readonly mode: StockDisplayMode,
    /** The most units left at which a product is `low`. */
    readonly lowAt: number,
  ) {}

  levelOf(available: number): StockLevel {
    return available === 0 ? 'sold_out' : available <= this.lowAt ? 'low' : 'in_stock'
  }

  /** Whether shoppers may be told that `available` units are left. */
  showsCount(available: number): boolean {
    return this.mode === 'exact' || (this.mode === 'low' && available <= this.lowAt)
  }

  /** What shoppers see of a product's stock: every count when exact, else what is left only once it is low. */
  shown(product: Pick<ProductStock, 'onHand' | 'held'>): ShownStock {
    const available = availableOf(product)
    const level = this.levelOf(available)
    if (this.mode === 'exact') return { level, onHand: product.onHand, held: product.held, available }
    return this.showsCount(available) ? { level, available } : { level }
  }

  /** Whether two stocks of a product look the same to shoppers, so that a move from one to the other is no news. */
  looksAlike(before: Pick<ProductStock, 'onHand' | 'held'>, after: Pick<ProductStock, 'onHand' | 'held'>): boolean {
    const [a, b] = [this.shown(before), this.shown(after)]
    return a.level === b.level && a.onHand === b.onHand && a.held === b.held && a.available === b.available
  }
}
