// `npm run bench -- --verify N`: GET /admin/verify over a ledger of N movements in SQLite, the default store,
// and what every other client of the server feels meanwhile: how long it takes, the server's memory, and
// the latency of /healthz asked again and again on a connection of its own while it runs.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../src/store/sqlite.js'
import { Connection, getRequest } from './raw-http.js'
import { startBenchServer } from './server-process.js'
import { spreadOf, type Spread } from './stats.js'

const TOKEN = 'bench-verify-admin-token-0123456789abcdef'
const SKUS = 10
/** How often the server's resident memory is read while it verifies. */
const RSS_EVERY_MS = 10

export interface VerifyResult {
  readonly movements: number
  readonly ok: boolean
  readonly verifyMs: number
  /** The server's resident memory before the verify, and the most it reached during it, in MiB. */
  readonly rssBeforeMiB: number
  readonly rssPeakMiB: number
  /** How long each /healthz took while the verify ran, in ms. */
  readonly healthz: Spread
}

/**
 * A database of the store's own making, whose ledger then gets `movements` restocks of one unit spread over
 * the catalog, as that many deliveries would have written them: one transaction for all, where the store
 * would take one each (about a minute for a million).
 */
async function fillLedger(file: string, movements: number): Promise<void> {
  const catalog = Array.from({ length: SKUS }, (_, i) => ({ sku: `sku-${i}`, name: `Product ${i}`, onHand: 0 }))
  await (await openSqliteStore({ file, catalog })).close()
  const db = new Database(file)
  const record = db.prepare(
    `INSERT INTO movements (time, sku, kind, quantity, actor, reason, on_hand, held)
     VALUES (?, ?, 'restock', 1, 'admin', 'delivery', ?, 0)`,
  )
  const setOnHand = db.prepare('UPDATE products SET on_hand = ? WHERE sku = ?')
  db.transaction(() => {
    const onHand = new Array<number>(SKUS).fill(0)
    for (let i = 0; i < movements; i++) record.run(Date.now(), `sku-${i % SKUS}`, ++onHand[i % SKUS]!)
    onHand.forEach((units, i) => setOnHand.run(units, `sku-${i}`))
  })()
  db.close()
}

export async function measureVerify(movements: number): Promise<VerifyResult> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-verify-'))
  const file = join(folder, 'stock.db')
  await fillLedger(file, movements)
  const server = await startBenchServer('stockpoll', { DATABASE_FILE: file, ADMIN_TOKEN: TOKEN })
  try {
    const [prober, admin] = await Promise.all([Connection.open(server.target), Connection.open(server.target)])
    const healthz = getRequest('/healthz')
    for (let i = 0; i < 200; i++) await prober.request(healthz)
    const rssBefore = server.rss()

    let verifying = true
    let rssPeak = rssBefore
    const sampling = (async () => {
      while (verifying) {
        rssPeak = Math.max(rssPeak, server.rss())
        await sleep(RSS_EVERY_MS)
      }
    })()
    const latencies: number[] = []
    const probing = (async () => {
      while (verifying) {
        const sentAt = performance.now()
        await prober.request(healthz)
        latencies.push(performance.now() - sentAt)
      }
    })()
    const startedAt = performance.now()
    const answer = await admin.request(
      `GET /admin/verify HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    )
    const verifyMs = performance.now() - startedAt
    verifying = false
    await Promise.all([sampling, probing])
    prober.close()
    admin.close()
    const mib = (bytes: number) => bytes / 2 ** 20
    return {
      movements,
      ok: answer.status === 200,
      verifyMs,
      rssBeforeMiB: mib(rssBefore),
      rssPeakMiB: mib(rssPeak),
      healthz: spreadOf(latencies),
    }
  } finally {
    await server.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}

export function verifyReport({ movements, ok, verifyMs, rssBeforeMiB, rssPeakMiB, healthz }: VerifyResult): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`
  return [
    `GET /admin/verify over ${movements} movements in SQLite: ${ok ? 'ok' : 'NOT OK'} in ${ms(verifyMs)}`,
    `  server RSS ${rssBeforeMiB.toFixed(1)} MiB before, at most ${rssPeakMiB.toFixed(1)} MiB during it (+${(rssPeakMiB - rssBeforeMiB).toFixed(1)} MiB)`,
    `  /healthz meanwhile, ${healthz.count} asked one after another: p50 ${ms(healthz.p50)}, p99 ${ms(healthz.p99)}, max ${ms(healthz.max)}`,
  ].join('\n')
}
