// Cost follows interest: a catalog of many products, each watched by its own clients, and one change to one
// of them. Only that product's watchers may be woken; how fast they are, beside the figures of as many
// watchers of one product.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { Connection, getRequest, postFormRequest, requestOnce, type Answer } from './raw-http.js'
import { startBenchServer } from './server-process.js'
import { spreadOf, waitFor, type Spread } from './stats.js'
import { epochIn, versionIn } from './stock-version.js'

export interface InterestResult {
  readonly products: number
  readonly watchersPerProduct: number
  /** Watchers of the changed product answered within the wait. */
  readonly answered: number
  /** Watchers of the other products answered: must be 0. */
  readonly wokenElsewhere: number
  /** From the change to each answer, in ms. */
  readonly fanOutMs: Spread
  readonly cpuMs: number
}

const HOLD_TIMEOUT_MS = 60_000
/** How long the others are given to be woken, wrongly, after the changed product's watchers are answered. */
const QUIET_MS = 500

/** A catalog file of `products` products, `sku-0` on, each of 10 units. */
function catalogFile(products: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bench-catalog-')), 'catalog.json')
  const catalog = Array.from({ length: products }, (_, i) => ({ sku: `sku-${i}`, name: `Product ${i}`, onHand: 10 }))
  writeFileSync(path, JSON.stringify(catalog))
  return path
}

/** `products` products, `watchersPerProduct` long polls on each, and one change to `sku-0`. */
export async function measureInterest(products: number, watchersPerProduct: number): Promise<InterestResult> {
  const server = await startBenchServer('stockpoll', { CATALOG_FILE: catalogFile(products), MAX_PER_SESSION: '5' })
  try {
    const { target } = server
    const catalog = (await requestOnce(target, getRequest('/products'))).body
    const [version, epoch] = [versionIn(catalog), epochIn(catalog)]
    const watchers = products * watchersPerProduct
    const connections = await Promise.all(Array.from({ length: watchers }, () => Connection.open(target)))
    const answers: (Answer | undefined)[] = []
    connections.forEach((connection, i) => {
      const sku = `sku-${i % products}`
      void connection.request(getRequest(`/status?skus=${sku}&since=${version}&epoch=${epoch}&timeout=120`)).then(
        (answer) => (answers[i] = answer),
        () => {},
      )
    })
    await waitFor(async () => (await server.held()) === watchers, HOLD_TIMEOUT_MS, 100)
    const cpuBefore = server.cpuMs()
    const changedAt = performance.timeOrigin + performance.now()
    await requestOnce(target, postFormRequest('/cart', { session: 'interest', sku: 'sku-0', action: 'add' }))
    const ofChanged = (i: number) => i % products === 0
    await waitFor(() => answers.filter((answer, i) => answer && ofChanged(i)).length === watchersPerProduct, 10_000, 5)
    await sleep(QUIET_MS)
    const cpuMs = server.cpuMs() - cpuBefore
    for (const connection of connections) connection.close()
    const answered = answers.filter((answer, i): answer is Answer => answer !== undefined && ofChanged(i))
    return {
      products,
      watchersPerProduct,
      answered: answered.length,
      wokenElsewhere: answers.filter((answer, i) => answer !== undefined && !ofChanged(i)).length,
      fanOutMs: spreadOf(answered.map((answer) => answer.at - changedAt)),
      cpuMs,
    }
  } finally {
    await server.stop()
  }
}
