import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

const SERVER_ENTRY = fileURLToPath(new URL('../../src/server.ts', import.meta.url))

export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams
  /** Everything it printed so far, stdout and stderr together. */
  readonly output: () => string
}

/**
 * Runs `src/server.ts` as processes of their own, the way `npm start` runs the built one, and kills any
 * still running after each test of the current file.
 */
export function useServerProcesses() {
  const children: ChildProcessWithoutNullStreams[] = []
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  })

  function spawnServer(env: Record<string, string>): ServerProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
      // In memory unless a test says otherwise: the default, SQLite, would share one file among the tests.
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', STORE: 'memory', ...env },
    })
    children.push(child)
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    return { child, output: () => output }
  }

  /** Starts a server process and resolves with the address it says it listens on. */
  async function startServerProcess(env: Record<string, string>): Promise<ServerProcess & { readonly url: string }> {
    const server = spawnServer(env)
    return { ...server, url: await urlOf(server) }
  }

  return { spawnServer, startServerProcess }
}

/** The address a server process says it listens on; its output stays open, since the server writes to it again. */
export async function urlOf({ child, output }: ServerProcess): Promise<string> {
  for (;;) {
    const url = /"url":"(http:\/\/[^"]+)"/.exec(output())?.[1]
    if (url) return url
    if (child.exitCode !== null) throw new Error(`the server exited before it listened: ${output()}`)
    await Promise.race([once(child.stdout, 'data'), once(child, 'exit')])
  }
}
