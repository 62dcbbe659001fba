import { effectOf, type MovementKind } from './movement.js'
import type { ProductDefinition, ProductStock } from './product.js'
import type { StockState, StoredLine } from './stock-state.js'

/** Who acts, and on what, for the ledger. */
export interface Actor {
  readonly actor: string
  readonly idempotencyKey?: string | undefined
  readonly orderId?: string | undefined
  readonly reason?: string | undefined
}

/**
 * One operation's changes: every product it changes gets the catalog's next version, taken once, and every
 * move of `onHand` or `held` is written to the ledger with the counters after it, in the same step. A product
 * whose lines it changed gets its next lapse anew as the step ends, a change like any other when it moved.
 */
export class Step {
  #version: number | undefined
  readonly #changed = new Map<string, ProductStock>()
  readonly #linesChanged = new Set<string>()

  constructor(
    readonly state: StockState,
    readonly time: number,
    readonly who: Actor,
  ) {}

  /** Keeps a line, or drops it with `undefined`. */
  async putLine(session: string, sku: string, line: StoredLine | undefined): Promise<void> {
    await this.state.putLine(session, sku, line)
    this.#linesChanged.add(sku)
  }

  /** Ends the step: gives every product it changed, as it left it. */
  async finish(): Promise<ProductStock[]> {
    for (const sku of this.#linesChanged) {
      // A product this step changed is at hand as it left it: read again only those it did not.
      const product = this.#changed.get(sku) ?? (await this.state.product(sku))
      const nextLapse = await this.state.nextLapse(sku)
      if (product && product.nextLapse !== nextLapse) await this.touch(product, { nextLapse })
    }
    return [...this.#changed.values()]
  }

  /** A product as this step left it. */
  latest(product: ProductStock): ProductStock {
    return this.#changed.get(product.sku) ?? product
  }

  /** Moves a product's counters by a movement of `kind` and `quantity`, and records it, as `actor`'s. */
  async move(
    product: ProductStock,
    kind: MovementKind,
    quantity: number,
    actor = this.who.actor,
  ): Promise<ProductStock> {
    const effect = effectOf({ kind, quantity })
    const next = await this.touch(product, { onHand: product.onHand + effect.onHand, held: product.held + effect.held })
    const { idempotencyKey, orderId, reason } = this.who
    await this.state.record({
      time: this.time,
      sku: product.sku,
      kind,
      quantity,
      actor,
      orderId: orderId ?? null,
      idempotencyKey: idempotencyKey ?? null,
      reason: reason ?? null,
      onHand: next.onHand,
      held: next.held,
    })
    return next
  }

  /**
   * Changes a product at this step's version: its stock, through `move`, its name, its next lapse, whether it
   * is archived, or when holds were last taken from.
   */
  async touch(
    product: ProductStock,
    change: Partial<ProductDefinition & Pick<ProductStock, 'held' | 'holdsTakenAt'>> & {
      readonly nextLapse?: number | undefined
      readonly archived?: boolean
    },
  ): Promise<ProductStock> {
    this.#version ??= await this.state.bump()
    const { nextLapse, archived, ...rest } = { ...product, ...change, version: this.#version }
    const next: ProductStock = {
      ...rest,
      ...(nextLapse !== undefined && { nextLapse }),
      ...(archived === true && { archived }),
    }
    await this.state.putProduct(next)
    this.#changed.set(next.sku, next)
    return next
  }
}
