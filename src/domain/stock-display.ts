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
  /** When the next hold lapses, where holds are shown. */
  readonly nextLapse?: number
  /** The product is no longer sold. */
  readonly archived?: true
  /** When a sale made elsewhere last took from carts' holds of it: each shopper's client checks its own. */
  readonly holdsTakenAt?: number
}

export interface StockDisplayOptions {
  readonly mode: StockDisplayMode
  /** The most units left at which a product is `low`. */
  readonly lowAt: number
  /**
   * Whether shoppers see how many units carts hold and when the next hold lapses, whatever the mode
   * (`SHOW_HOLDS`): a unit in another cart may come back, and a shopper who knows when waits for it.
   */
  readonly showsHolds?: boolean
}

type Stock = Pick<ProductStock, 'onHand' | 'held' | 'nextLapse' | 'archived' | 'holdsTakenAt'>

export class StockDisplay {
  readonly mode: StockDisplayMode
  readonly lowAt: number
  readonly showsHolds: boolean

  constructor({ mode, lowAt, showsHolds = false }: StockDisplayOptions) {
    this.mode = mode
    this.lowAt = lowAt
    this.showsHolds = showsHolds
  }

  levelOf(available: number): StockLevel {
    return available === 0 ? 'sold_out' : available <= this.lowAt ? 'low' : 'in_stock'
  }

  /** Whether shoppers may be told that `available` units are left. */
  showsCount(available: number): boolean {
    return this.mode === 'exact' || (this.mode === 'low' && available <= this.lowAt)
  }

  /**
   * What shoppers see of a product's stock: every count when exact, else what is left only once it is low;
   * and, where holds are shown, what carts hold and when the next hold lapses.
   */
  shown({ onHand, held, nextLapse, archived, holdsTakenAt }: Stock): ShownStock {
    const available = availableOf({ onHand, held })
    const level = this.levelOf(available)
    const counts = this.mode === 'exact' ? { onHand, held, available } : this.showsCount(available) ? { available } : {}
    const sold = { ...(archived && { archived }), ...(holdsTakenAt !== undefined && { holdsTakenAt }) }
    if (!this.showsHolds) return { level, ...counts, ...sold }
    return { level, ...counts, held, ...(nextLapse !== undefined && { nextLapse }), ...sold }
  }

  /** Whether two stocks of a product look the same to shoppers, so that a move from one to the other is no news. */
  looksAlike(before: Stock, after: Stock): boolean {
    const [a, b] = [this.shown(before), this.shown(after)]
    return (
      a.level === b.level &&
      a.onHand === b.onHand &&
      a.held === b.held &&
      a.available === b.available &&
      a.nextLapse === b.nextLapse &&
      a.archived === b.archived &&
      a.holdsTakenAt === b.holdsTakenAt
    )
  }
}
