import { setImmediate as nextTurn } from 'node:timers/promises'
import { LedgerReplay, type Divergence, type Movement } from '../domain/movement.js'
import type { ProductStock } from '../domain/product.js'

/**
 * How many movements `verify` reads and replays in one turn of the event loop: few enough that the turn is
 * short (docs/performance.md has the figures), so that every other request is served between two pages.
 */
export const VERIFY_PAGE = 1000

/** Every product's counters, and the seq of the ledger's last movement, read at one instant. */
export interface LedgerSnapshot {
  readonly seq: number
  readonly products: readonly ProductStock[]
}

/**
 * Replays the ledger up to the snapshot's seq against the snapshot's counters, a page at a time (`page` reads
 * the movements after a seq, at most `limit`), with a turn of the event loop between pages. The ledger is only
 * ever appended to, so what it holds up to that seq is what it held at that instant, whatever is written
 * meanwhile. It holds one page and the catalog's counters at a time, however long the ledger.
 */
export async function verifyLedger(
  { seq, products }: LedgerSnapshot,
  page: (after: number, limit: number) => Promise<readonly Movement[]>,
): Promise<Divergence | undefined> {
  const ledger = new LedgerReplay()
  for (let after = 0; after < seq;) {
    const movements = await page(after, Math.min(VERIFY_PAGE, seq - after))
    // The rest of the ledger is gone (keys lost from Redis): the counters, which it moved, will not match.
    if (movements.length === 0) break
    for (const movement of movements) {
      const divergence = ledger.take(movement)
      if (divergence) return divergence
    }
    after = movements.at(-1)!.seq
    await nextTurn()
  }
  return ledger.compare(products)
}
