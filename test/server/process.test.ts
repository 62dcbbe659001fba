import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const SERVER_ENTRY = fileURLToPath(new URL('../../src/server.ts', import.meta.url))

const children: ChildProcessWithoutNullStreams[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

/** Runs `src/server.ts` as its own process, the way `npm start` runs the built one. */
function runServer(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
  })
  children.push(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk))
  return { child, output: () => output }
}

/** The address the server says it listens on; the output stays open, since the server writes to it again. */
async function urlOf(child: ChildProcessWithoutNullStreams, output: () => string): Promise<string> {
  for (;;) {
    const url = /on (http:\/\/\S+)/.exec(output())?.[1]
    if (url) return url
    if (child.exitCode !== null) throw new Error(`the server exited before it listened: ${output()}`)
    await once(child.stdout, 'data')
  }
}

describe('the server process', () => {
  it('on SIGTERM answers its held requests with the current stock and exits 0 within 5 s', async () => {
    const { child, output } = runServer({})
    const url = await urlOf(child, output)
    await fetch(`${url}/cart`, { method: 'POST', body: new URLSearchParams({ session: 'a', action: 'add' }) })
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
    const { child, output } = runServer({ TOTAL_INVENTORY: 'lots' })
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(output().trim().split('\n')).toEqual(['stockpoll: TOTAL_INVENTORY must be a whole number from 0 to 100000, got "lots"'])
  })
})
