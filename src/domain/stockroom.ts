import { decideLine, type CartRequest, type CartRules, type Refusal } from './cart-rules.js'
import { ADMIN } from './movement.js'
import type { Order } from './order.js'
import { availableOf, MAX_ON_HAND, type ProductDefinition, type ProductStock } from './product.js'
import type { LineOf, StockState } from './stock-state.js'
import { Step } from './step.js'
import { UnknownProductError } from './unknown-product-error.js'

/**
 * When a hold never lapses (expiry is turned off): the one way "never" is written, from the domain to the
 * answers (JSON null) and the stores (SQL NULL; in Redis, no score in the set of holds that lapse).
 */
export const NEVER = null

/** When a hold ends: an instant in ms since the Unix epoch, or `NEVER`. */
export type HoldEnd = number | typeof NEVER

/** How long a lapsed line stays in its cart, unheld, for a checkout to sell if its units are still there. */
export const LAPSED_LINES_KEPT_MS = 24 * 60 * 60 * 1000

/**
 * The order lines lapse in within one sweep, so that every store writes their movements in the same order: by
 * when their hold ends, then by `<sku>|<session>`, the order Redis keeps them in (its sorted set's members).
 */
const lapseOrder = (a: LineOf, b: LineOf): number => {
  const [first, second] = [`${a.sku}|${a.session}`, `${b.sku}|${b.session}`]
  return (a.until ?? 0) - (b.until ?? 0) || (first < second ? -1 : first > second ? 1 : 0)
}

/**
 * The order a sale made elsewhere takes units from holds in: the newest first, by when the hold ends (one that
 * never lapses counting as the newest), then by session, last first: within a product, `lapseOrder` reversed,
 * as `sell.lua` sorts them too. The shopper who acted last loses first; one about to check out keeps theirs.
 */
const newestFirst = (a: LineOf, b: LineOf): number =>
  (b.until ?? Infinity) - (a.until ?? Infinity) || (a.session < b.session ? 1 : a.session > b.session ? -1 : 0)

/** One line of a session's cart. */
export interface Line {
  readonly sku: string
  readonly quantity: number
  /** When the hold lapses (`NEVER` without expiry); for a lapsed line, when it lapsed. */
  readonly until: HoldEnd
  /** Its hold lapsed: its units went back to stock, and it holds none. */
  readonly lapsed: boolean
}

/** A cart action for one line: who, which product, what, and from which client address. */
export interface LineCommand {
  readonly session: string
  readonly sku: string
  readonly request: CartRequest
  readonly address?: string | undefined
}

/** The products an operation changed, each at the catalog's new version; none for one that changed nothing. */
interface Changes {
  readonly changed: readonly ProductStock[]
}

export type LineOutcome =
  | ({ readonly ok: true; readonly line: Line; readonly product: ProductStock } & Changes)
  | ({ readonly ok: false; readonly product: ProductStock } & Refusal)

/** A line a checkout cannot sell: its hold lapsed and fewer units than it wants are left. */
export interface ShortLine {
  readonly sku: string
  readonly quantity: number
  readonly available: number
}

export type CheckoutOutcome =
  | ({ readonly ok: true; readonly order: Order } & Changes)
  | { readonly ok: false; readonly error: 'cart_empty' }
  | { readonly ok: false; readonly error: 'insufficient_stock'; readonly lines: readonly ShortLine[] }

/** What a product is set to by an admin; `expected` makes it a compare-and-set of `onHand`. */
export interface ProductInput extends ProductDefinition {
  readonly expected?: number | undefined
}

/** A change of `onHand` by `delta`, with a reason; `expected` makes it a compare-and-set of `onHand`. */
export interface AdjustmentInput {
  readonly sku: string
  readonly delta: number
  readonly reason: string
  readonly expected?: number | undefined
}

/**
 * A sale made elsewhere (a till, another channel) of `quantity` units; `expected` makes it a compare-and-set of
 * `onHand`. With `takeFromHolds`, what no cart holds is sold first, and the rest is taken from carts' holds.
 */
export interface SaleInput {
  readonly sku: string
  readonly quantity: number
  readonly reason: string
  readonly expected?: number | undefined
  readonly takeFromHolds?: boolean | undefined
}

/** What the caller read of `onHand` is no longer so: `current` is. */
export interface Conflict {
  readonly ok: false
  readonly error: 'conflict'
  readonly current: number
}

/** `onHand` may never go below what carts hold. */
export interface BelowHeld {
  readonly ok: false
  readonly error: 'below_held'
  readonly held: number
}

/** `onHand` may never go above `MAX_ON_HAND`: `sku`'s would. */
export interface AboveLimit {
  readonly ok: false
  readonly error: 'on_hand_limit'
  readonly sku: string
  readonly onHand: number
  readonly limit: number
}

/** What an archive, or its undoing, left the product as. */
export type ArchiveOutcome = { readonly ok: true; readonly product: ProductStock } & Changes

export type PutOutcome =
  | ({ readonly ok: true; readonly product: ProductStock; readonly created: boolean } & Changes)
  | Conflict
  | BelowHeld
  | AboveLimit

export type AdjustOutcome =
  ({ readonly ok: true; readonly product: ProductStock } & Changes) | Conflict | BelowHeld | AboveLimit

export type SaleOutcome =
  | ({ readonly ok: true; readonly product: ProductStock } & Changes)
  | Conflict
  /** `available`: the most it may sell, what no cart holds, or with `takeFromHolds` every unit on hand. */
  | { readonly ok: false; readonly error: 'insufficient_stock'; readonly available: number }

export type ReleaseOutcome =
  | ({ readonly ok: true; readonly released: number; readonly product: ProductStock } & Changes)
  | { readonly ok: false; readonly error: 'no_hold' }

export type CancelOutcome =
  | ({ readonly ok: true; readonly order: Order } & Changes)
  | { readonly ok: false; readonly error: 'order_not_found' | 'already_cancelled' }
  | AboveLimit

/** The refusal of a write whose caller read another `onHand` than `current`; none where it read nothing. */
const unexpected = (current: number, expected: number | undefined): Conflict | undefined =>
  expected === undefined || current === expected ? undefined : { ok: false, error: 'conflict', current }

/** The refusal of a change that would take `product`'s `onHand` to `onHand`, when that is past the bound. */
const aboveLimit = ({ sku, onHand }: ProductStock, wanted: number): AboveLimit | undefined =>
  wanted > MAX_ON_HAND ? { ok: false, error: 'on_hand_limit', sku, onHand, limit: MAX_ON_HAND } : undefined

/**
 * The rules of the stock, in one place: carts, holds that lapse, checkout, the admin's changes, and the
 * ledger. Every operation that changes a product moves the catalog's version by exactly one and gives every
 * product it changed that version, and writes each move of `onHand` or `held` to the ledger in the same
 * step; one that changes nothing keeps the version. Time is given, never read.
 *
 * It keeps nothing itself: it reads and writes a `StockState`, each operation inside one transaction of its
 * store's, which makes the operation atomic (in memory, by running one at a time; in SQLite and PostgreSQL,
 * as a database transaction). The state may answer at once or later: a store in this process's memory
 * answers at once, a database over the network later. The Redis store applies the same rules in Lua, and the
 * store contract suite holds all of them to the same answers.
 */
export class Stockroom {
  constructor(
    readonly state: StockState,
    readonly rules: CartRules,
  ) {}

  /**
   * Starts a catalog at version 0 (not a change clients hear of), each product restocked from nothing in
   * the ledger.
   */
  async seed(catalog: readonly ProductDefinition[], now: number): Promise<void> {
    for (const { sku, name, onHand } of catalog) {
      await this.state.putProduct({ sku, name, onHand, held: 0, version: 0 })
      if (onHand === 0) continue
      const restock = { time: now, sku, kind: 'restock', quantity: onHand, actor: ADMIN } as const
      await this.state.record({ ...restock, orderId: null, idempotencyKey: null, reason: 'catalog', onHand, held: 0 })
    }
  }

  /** One product; throws `UnknownProductError` for a SKU the catalog lacks. */
  async product(sku: string): Promise<ProductStock> {
    const product = await this.state.product(sku)
    if (!product) throw new UnknownProductError(sku)
    return product
  }

  /** The session's lines, in catalog order. */
  async linesOf(session: string): Promise<Line[]> {
    const lines = await this.state.linesOf(session)
    return lines.map(({ sku, quantity, until, lapsed }) => ({ sku, quantity, until, lapsed }))
  }

  /** Every line of a product, held or lapsed: who holds it, how many, until when. */
  async holdsOf(sku: string): Promise<LineOf[]> {
    await this.product(sku)
    return this.state.linesFor(sku)
  }

  /**
   * Sets one line as `command` asks, held until `until`. Any action of the session on the product renews
   * the hold it keeps; a lapsed line counts as holding none; a line set to 0 is gone. A refusal changes
   * nothing.
   */
  async apply(command: LineCommand, until: HoldEnd, now: number, idempotencyKey?: string): Promise<LineOutcome> {
    const { session, sku, request, address } = command
    const product = await this.product(sku)
    const line = await this.state.line(session, sku)
    const held = line && !line.lapsed ? line.quantity : 0
    const lineAddress = line?.address ?? address
    const heldByAddress = lineAddress === undefined ? 0 : await this.state.heldByAddress(sku, lineAddress)
    const decision = decideLine({ product, held, heldByAddress }, request, this.rules)
    if (!('quantity' in decision)) return { ok: false, product, ...decision }

    const { quantity } = decision
    const step = new Step(this.state, now, { actor: session, idempotencyKey })
    const stored = { quantity, until, lapsed: false, address: lineAddress }
    await step.putLine(session, sku, quantity === 0 ? undefined : stored)
    const more = quantity - held
    const after = more === 0 ? product : await step.move(product, more > 0 ? 'hold' : 'release', more)
    const kept = { sku, quantity, until: quantity === 0 ? NEVER : until, lapsed: false }
    const changed = await step.finish()
    return { ok: true, line: kept, product: step.latest(after), changed }
  }

  /**
   * Lapses every held line whose hold ends at or before `now`, its units going back to stock, all as one
   * change recorded as each line's session's, in `lapseOrder`; and forgets the lines that lapsed more than
   * `LAPSED_LINES_KEPT_MS` ago. Gives the products it changed.
   */
  async expire(now: number): Promise<ProductStock[]> {
    const step = new Step(this.state, now, { actor: ADMIN })
    const due = await this.state.dueLines(now, now - LAPSED_LINES_KEPT_MS)
    for (const line of due.sort(lapseOrder)) {
      if (line.lapsed) {
        await step.putLine(line.session, line.sku, undefined)
        continue
      }
      await step.putLine(line.session, line.sku, { ...line, lapsed: true })
      await step.move(await this.product(line.sku), 'expire', -line.quantity, line.session)
    }
    return step.finish()
  }

  /**
   * Sells every line of the session's cart, all of them or none: each held line from what it holds, each
   * lapsed line from what is available (held again and sold in the same step), or, if any lapsed line wants
   * more than is left, nothing at all. The cart is emptied, and the order kept.
   */
  async checkout(session: string, orderId: string, now: number, idempotencyKey?: string): Promise<CheckoutOutcome> {
    const lines = await this.state.linesOf(session)
    if (lines.length === 0) return { ok: false, error: 'cart_empty' }
    const products = new Map<string, ProductStock>()
    for (const { sku } of lines) products.set(sku, await this.product(sku))
    const short = lines
      .filter((line) => line.lapsed && line.quantity > availableOf(products.get(line.sku)!))
      .map(({ sku, quantity }) => ({ sku, quantity, available: availableOf(products.get(sku)!) }))
    if (short.length > 0) return { ok: false, error: 'insufficient_stock', lines: short }

    const step = new Step(this.state, now, { actor: session, idempotencyKey, orderId })
    for (const line of lines) {
      const product = products.get(line.sku)!
      const held = line.lapsed ? await step.move(product, 'hold', line.quantity) : product
      await step.move(held, 'sale', -line.quantity)
      await step.putLine(session, line.sku, undefined)
    }
    const order: Order = {
      id: orderId,
      session,
      lines: lines.map(({ sku, quantity }) => ({ sku, name: products.get(sku)!.name, quantity })),
      createdAt: now,
      status: 'placed',
    }
    await this.state.putOrder(order)
    return { ok: true, order, changed: await step.finish() }
  }

  /**
   * Creates a product, or replaces one's name and `onHand`: only if `onHand` is still `expected`, when the
   * caller says what it read, never below what carts hold, and never above `MAX_ON_HAND`.
   */
  async putProduct(
    { sku, name, onHand, expected }: ProductInput,
    now: number,
    idempotencyKey?: string,
  ): Promise<PutOutcome> {
    const existing = await this.state.product(sku)
    const conflict = unexpected(existing?.onHand ?? 0, expected)
    if (conflict) return conflict
    if (existing && onHand < existing.held) return { ok: false, error: 'below_held', held: existing.held }
    const tooMany = aboveLimit(existing ?? { sku, name, onHand: 0, held: 0, version: 0 }, onHand)
    if (tooMany) return tooMany
    const step = new Step(this.state, now, { actor: ADMIN, idempotencyKey })
    let product = existing ?? (await step.touch({ sku, name, onHand: 0, held: 0, version: 0 }, {}))
    if (product.name !== name) product = await step.touch(product, { name })
    const delta = onHand - product.onHand
    if (delta !== 0) product = await step.move(product, existing ? 'adjust' : 'restock', delta)
    return { ok: true, product, created: !existing, changed: await step.finish() }
  }

  /**
   * Moves `onHand` by `delta`: a restock when more, an adjustment when less, never below what carts hold nor
   * above `MAX_ON_HAND`; only if `onHand` is still `expected`, when the caller says what it read.
   */
  async adjust(
    { sku, delta, reason, expected }: AdjustmentInput,
    now: number,
    idempotencyKey?: string,
  ): Promise<AdjustOutcome> {
    const product = await this.product(sku)
    const conflict = unexpected(product.onHand, expected)
    if (conflict) return conflict
    if (product.onHand + delta < product.held) return { ok: false, error: 'below_held', held: product.held }
    const tooMany = aboveLimit(product, product.onHand + delta)
    if (tooMany) return tooMany
    const step = new Step(this.state, now, { actor: ADMIN, idempotencyKey, reason })
    const after = delta === 0 ? product : await step.move(product, delta > 0 ? 'restock' : 'adjust', delta)
    return { ok: true, product: after, changed: await step.finish() }
  }

  /**
   * Sells units of a product made elsewhere, out of what no cart holds: held and sold in the same step, as a
   * checkout sells a lapsed line, both the admin's; only if `onHand` is still `expected`, when given. With
   * `takeFromHolds`, what no cart holds may fall short: the rest is taken from the newest holds
   * (`newestFirst`), each a `take` of the session's, its line cut or, emptied, gone; the product's
   * `holdsTakenAt` tells their clients.
   */
  async sell(
    { sku, quantity, reason, expected, takeFromHolds }: SaleInput,
    now: number,
    idempotencyKey?: string,
  ): Promise<SaleOutcome> {
    const product = await this.product(sku)
    const conflict = unexpected(product.onHand, expected)
    if (conflict) return conflict
    const free = availableOf(product)
    const most = takeFromHolds ? product.onHand : free
    if (quantity > most) return { ok: false, error: 'insufficient_stock', available: most }
    const step = new Step(this.state, now, { actor: ADMIN, idempotencyKey, reason })
    const fromFree = Math.min(quantity, free)
    const sold =
      fromFree === 0 ? product : await step.move(await step.move(product, 'hold', fromFree), 'sale', -fromFree)
    const after = quantity > fromFree ? await this.#takeFromHolds(step, sold, quantity - fromFree) : sold
    const changed = await step.finish()
    return { ok: true, product: step.latest(after), changed }
  }

  /** Takes `units` of a product from its newest holds, and marks the product as taken from at this version. */
  async #takeFromHolds(step: Step, product: ProductStock, units: number): Promise<ProductStock> {
    const held = (await this.state.linesFor(product.sku)).filter(({ lapsed }) => !lapsed)
    let left = units
    let after = product
    for (const { session, quantity, until, address } of held.sort(newestFirst)) {
      if (left === 0) break
      const taken = Math.min(quantity, left)
      const kept = quantity - taken
      await step.putLine(
        session,
        product.sku,
        kept === 0 ? undefined : { quantity: kept, until, lapsed: false, address },
      )
      after = await step.move(after, 'take', -taken, session)
      left -= taken
    }
    return step.touch(after, { holdsTakenAt: after.version })
  }

  /**
   * Archives a product (`archived`), or sells it again: archived, it takes no new holds, and keeps its lines,
   * its orders and its ledger. Archiving one that is already archived changes nothing.
   */
  async archive(sku: string, archived: boolean, now: number, idempotencyKey?: string): Promise<ArchiveOutcome> {
    const product = await this.product(sku)
    if ((product.archived ?? false) === archived) return { ok: true, product, changed: [] }
    const step = new Step(this.state, now, { actor: ADMIN, idempotencyKey })
    const after = await step.touch(product, { archived })
    return { ok: true, product: after, changed: await step.finish() }
  }

  /** Lets go one session's line of a product, its held units back to stock. */
  async releaseHold(sku: string, session: string, now: number, idempotencyKey?: string): Promise<ReleaseOutcome> {
    const product = await this.product(sku)
    const line = await this.state.line(session, sku)
    if (!line) return { ok: false, error: 'no_hold' }
    const step = new Step(this.state, now, { actor: ADMIN, idempotencyKey })
    await step.putLine(session, sku, undefined)
    const released = line.lapsed ? 0 : line.quantity
    const after = released === 0 ? product : await step.move(product, 'release', -released)
    const changed = await step.finish()
    return { ok: true, released, product: step.latest(after), changed }
  }

  /** Cancels an order: every unit it sold goes back to `onHand`, unless that would take one past `MAX_ON_HAND`. */
  async cancelOrder(id: string, now: number, idempotencyKey?: string): Promise<CancelOutcome> {
    const order = await this.state.order(id)
    if (!order) return { ok: false, error: 'order_not_found' }
    if (order.status === 'cancelled') return { ok: false, error: 'already_cancelled' }
    for (const { sku, quantity } of order.lines) {
      const product = await this.product(sku)
      const tooMany = aboveLimit(product, product.onHand + quantity)
      if (tooMany) return tooMany
    }
    const step = new Step(this.state, now, { actor: ADMIN, idempotencyKey, orderId: id })
    for (const { sku, quantity } of order.lines) await step.move(await this.product(sku), 'cancel', quantity)
    const cancelled: Order = { ...order, status: 'cancelled' }
    await this.state.putOrder(cancelled)
    return { ok: true, order: cancelled, changed: await step.finish() }
  }
}
