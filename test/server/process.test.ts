import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { eventually } from '../helpers/eventually.js'
import { postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'
import { anyEpoch } from '../helpers/stock.js'

describe('the server process', () => {
  const { spawnServer, startServerProcess } = useServerProcesses()
  const newFile = useDatabaseFiles()

  it('on SIGTERM answers its held requests over the default 2 s window, telling each when to return, and exits 0', async () => {
    const { child, url } = await startServerProcess({})
    await postCart(url, 'a', 'add')
    const polls = Array.from({ length: 40 }, async () => {
      const response = await fetch(`${url}/status?since=1`)
      return { at: Date.now(), body: (await response.json()) as { retryAfterMs: number } }
    })
    // The requests must be held before the signal, or they would race the closing listener.
    await sleep(500)

    const signalled = Date.now()
    child.kill('SIGTERM')
    const answers = await Promise.all(polls)
    for (const { body } of answers) {
      expect(body).toEqual({
        inventoryCount: 9,
        totalInventory: 10,
        version: 1,
        epoch: anyEpoch,
        retryAfterMs: expect.any(Number),
      })
      expect(body.retryAfterMs).toSatisfy((ms: number) => ms >= 0 && ms < 1000)
    }
    const times = answers.map(({ at }) => at - signalled).sort((a, b) => a - b)
    // Spread over the window: some early, some late, none in a burst at the start or the end.
    expect(times[0]).toBeLessThan(500)
    expect(times.at(-1)).toBeGreaterThan(1500)
    expect(times[20]! - times[10]!).toBeGreaterThan(250)
    expect(new Set(answers.map(({ body }) => body.retryAfterMs)).size).toBeGreaterThan(20)
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    expect(Date.now() - signalled).toBeLessThan(5000)
    await expect(fetch(`${url}/healthz`)).rejects.toThrow()
  })

  it('says at start what its store serves, not what its configuration would seed', async () => {
    const token = 'process-test-admin-token-0123456789abcdef'
    const env = { STORE: 'sqlite', DATABASE_FILE: newFile(), ADMIN_TOKEN: token }
    const first = await startServerProcess(env)
    expect(first.output()).toContain('stockpoll: 10 units, in SQLite at')
    const put = await fetch(`${first.url}/admin/products/socks`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: new URLSearchParams({ name: 'Socks', onHand: '4' }),
    })
    expect(put.status).toBe(201)
    first.child.kill('SIGTERM')
    await once(first.child, 'exit')

    // The configuration still names the one product of 10 units; the file now has two.
    const again = await startServerProcess(env)
    expect(again.output()).toMatch(/stockpoll: 2 products, in SQLite at \S+, on http:/)
  })

  it('writes a line per request within a moment, and the last ones before it stops on SIGTERM', async () => {
    const { child, url, output } = await startServerProcess({})
    const requestLines = () => output().match(/"msg":"request"/g)?.length ?? 0
    await Promise.all([1, 2, 3].map(() => fetch(`${url}/inventory`)))
    await eventually(() => requestLines() === 3, 2000)

    await Promise.all([1, 2].map(() => fetch(`${url}/inventory`)))
    child.kill('SIGTERM')
    await once(child, 'exit')
    expect(requestLines()).toBe(5)
    expect(output()).toContain('SIGTERM: answering 0 held requests')
  })

  it('refuses a bad variable with one line naming it, and exit code 2', async () => {
    const { child, output } = spawnServer({ TOTAL_INVENTORY: 'lots' })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    const lines = output().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      code: 'invalid_configuration',
      msg: 'TOTAL_INVENTORY must be a whole number from 0 to 100000, got "lots"',
    })
  })

  it('refuses workers on the memory store, which they could not share', async () => {
    const { child, output } = spawnServer({ WORKERS: '2' })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(output()).toContain('WORKERS=2 needs STORE=redis')
  })
})
