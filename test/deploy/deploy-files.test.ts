import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { catalogFile, products } from '../helpers/catalogs.js'
import { testApp } from '../helpers/test-app.js'

const deployFile = (path: string) => fileURLToPath(new URL(`../../deploy/${path}`, import.meta.url))
/** Whether a tool the test runs is here: in CI it must be, and its test fails rather than skip without it. */
const installed = (command: string) =>
  process.env.CI === 'true' || spawnSync('sh', ['-c', `command -v ${command}`]).status === 0

/** Every metric a PromQL expression names: its words that are stockpoll's, Node's or the process's series. */
const metricsIn = (expr: string) =>
  [...expr.matchAll(/\b((?:stockpoll|nodejs|process)_[a-z0-9_]+)/g)].map(([, name]) => name!)

/** The metrics a running stockpoll declares, each histogram by the series it gives. */
async function exposedMetrics(): Promise<Set<string>> {
  const { app } = await testApp({ env: { CATALOG_FILE: catalogFile(products(2)) } })
  const text = await (await app.request('/metrics')).text()
  return new Set(
    [...text.matchAll(/^# TYPE ([a-z0-9_]+) (\w+)$/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    ),
  )
}

describe('the deploy files', () => {
  it('alert and chart only on metrics stockpoll exposes', async () => {
    const exposed = await exposedMetrics()
    const alerts = [...readFileSync(deployFile('prometheus/alerts.yml'), 'utf8').matchAll(/^\s+expr: (.+)$/gm)]
    const dashboard = JSON.parse(readFileSync(deployFile('grafana/stockpoll.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[]
    }
    const exprs = [
      ...alerts.map(([, expr]) => expr!),
      ...dashboard.panels.flatMap(({ targets }) => targets.map(({ expr }) => expr)),
    ]
    expect(alerts.length).toBeGreaterThan(0)
    const named = new Set(exprs.flatMap(metricsIn))
    expect([...named].filter((name) => !exposed.has(name))).toEqual([])
  })

  it.skipIf(!installed('promtool'))('has alert rules promtool takes', () => {
    const checked = spawnSync('promtool', ['check', 'rules', deployFile('prometheus/alerts.yml')], { encoding: 'utf8' })
    expect(checked.stdout + checked.stderr).toContain('SUCCESS')
    expect(checked.status).toBe(0)
  })

  it.skipIf(!installed('systemd-analyze'))('has a systemd unit systemd-analyze finds nothing wrong with', () => {
    const verified = spawnSync('systemd-analyze', ['verify', deployFile('systemd/stockpoll.service')], {
      encoding: 'utf8',
    })
    // It exits 0 even for a line it ignores, and says so on stderr.
    expect(verified.stderr).toBe('')
    expect(verified.status).toBe(0)
  })
})
