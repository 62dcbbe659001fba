import { availableOf, DEFAULT_PRODUCT, type ProductStock } from '../../src/domain/product.js'
import type { CartResult } from '../../src/store/store.js'
import type { TestStore } from './stores.js'

const SKU = DEFAULT_PRODUCT.sku

/** The default product's stock as the classic, one-product API saw it. */
export interface ClassicSnapshot {
  readonly inventoryCount: number
  readonly totalInventory: number
  readonly version: number
  readonly epoch: string
}

const classicOf = (product: ProductStock, epoch: string): ClassicSnapshot => ({
  inventoryCount: availableOf(product),
  totalInventory: product.onHand,
  version: product.version,
  epoch,
})

const classicResult = (result: CartResult) => {
  const replayed = result.replayed ? ({ replayed: true } as const) : {}
  if (!result.ok)
    return {
      ok: false as const,
      error: result.refusal.error,
      snapshot: classicOf(result.product, result.epoch),
      ...replayed,
    }
  const { line } = result
  return {
    ok: true as const,
    snapshot: classicOf(line.product, result.epoch),
    inCart: line.quantity > 0,
    holdUntil: line.holdUntil,
    ...replayed,
  }
}

/**
 * A store seen as the classic, one-product store was: its default product's stock, whether a session holds
 * a unit of it and until when, and `add` and `remove` of it. The store contract's classic cases hold every
 * store to the answers the one-product store always gave.
 */
export function classicView(store: TestStore) {
  return {
    store,
    snapshot: async (): Promise<ClassicSnapshot> => {
      const { epoch, products } = await store.catalog([SKU])
      return classicOf(products[0]!, epoch)
    },
    viewOf: async (session: string) => {
      const [{ epoch, products }, { lines }] = await Promise.all([store.catalog([SKU]), store.cart(session)])
      const line = lines.find((each) => each.sku === SKU && !each.lapsed)
      return {
        snapshot: classicOf(products[0]!, epoch),
        inCart: line !== undefined,
        holdUntil: line?.holdUntil ?? null,
      }
    },
    apply: async (action: 'add' | 'remove', session: string, idempotencyKey?: string) =>
      classicResult(await store.apply({ session, sku: SKU, request: { action } }, idempotencyKey)),
    /** Hears every change to the default product, as its classic snapshot. */
    onChange: (listener: (snapshot: ClassicSnapshot) => void) =>
      store.onChange(({ epoch, products }) => {
        const product = products.find((each) => each.sku === SKU)
        if (product) listener(classicOf(product, epoch))
      }),
    expireHolds: () => store.expireHolds(),
    check: () => store.check(),
  }
}

export type ClassicView = ReturnType<typeof classicView>
