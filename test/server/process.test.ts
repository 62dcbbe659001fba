import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { postCart } from '../helpers/running-server.js'
import { useServerProcesses } from '../helpers/server-process.js'

describe('the server process', () => {
  const { spawnServer, startServerProcess } = useServerProcesses()

  it('on SIGTERM answers its held requests with the current stock and exits 0 within 5 s', async () => {
    const { child, url } = await startServerProcess({})
    await postCart(url, 'a', 'add')
    const polls = Array.from({ length: 10 }, () => fetch(`${url}/status?since=1`))
    // The requests must be held before the signal, or they would race the closing listener.
    await new Promise((resolve) => setTimeout(resolve, 500))

    const signalled = Date.now()
    child.kill('SIGTERM')
    const answers = await Promise.all(polls)
    for (const answer of answers) expect(await answer.json()).toEqual({ inventoryCount: 9, totalInventory: 10, version: 1 })
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    expect(Date.now() - signalled).toBeLessThan(5000)
    await expect(fetch(`${url}/healthz`)).rejects.toThrow()
  })

  it('refuses a bad variable with one line naming it, and exit code 2', async () => {
    const { child, output } = spawnServer({ TOTAL_INVENTORY: 'lots' })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(output().trim().split('\n')).toEqual(['stockpoll: TOTAL_INVENTORY must be a whole number from 0 to 100000, got "lots"'])
  })

  it('refuses workers on the memory store, which they could not share', async () => {
    const { child, output } = spawnServer({ WORKERS: '2' })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(output()).toContain('WORKERS=2 needs STORE=redis')
  })
})
