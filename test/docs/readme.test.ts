import { exec, execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { useServers } from '../helpers/running-server.js'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** One command of the README's taste and what the README says it prints; nothing for one that is held. */
interface Step {
  readonly command: string
  readonly prints: string | undefined
}

/** The `curl` lines of the sh block under "## A taste", each with the `# ` line right after it, if any. */
function tasteSteps(readme: string): Step[] {
  const section = readme.slice(readme.indexOf('## A taste'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const lines = block.split('\n')
  return lines.flatMap((line, i) => {
    if (!line.startsWith('curl ')) return []
    const next = lines[i + 1] ?? ''
    return [{ command: line, prints: next.startsWith('# ') ? next.slice(2) : undefined }]
  })
}

const curlAvailable = await promisify(exec)('command -v curl').then(
  () => true,
  () => false,
)
const runCurl = process.env.CI === 'true' || curlAvailable
if (!runCurl) console.warn('README test skipped: no curl (apt-get install -y curl)')

/** The epoch is random: the README's example stands for whatever this server's is. */
const withEpoch = (text: string, epoch: string) => text.replace(/"epoch":"[^"]+"/g, `"epoch":"${epoch}"`)

describe.runIf(runCurl)("the README's taste", () => {
  const startServer = useServers()
  const held: ChildProcess[] = []
  let dataDir: string | undefined
  afterEach(() => {
    for (const child of held.splice(0)) child.kill()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('prints what the README says, on the default store, from a fresh stock', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stockpoll-readme-'))
    const server = await startServer({ STORE: 'sqlite', DATABASE_FILE: join(dataDir, 'stockpoll.db') })
    const port = new URL(server.url).port
    const shell = (command: string) => command.replaceAll('localhost:3000', `localhost:${port}`)
    const steps = tasteSteps(README)
    expect(steps.length).toBeGreaterThanOrEqual(4)

    const epoch = ((await (await fetch(`${server.url}/inventory`)).json()) as { epoch: string }).epoch
    const waiting: { step: Step; output: Promise<string> }[] = []
    for (const step of steps) {
      if (step.prints === undefined) {
        // A command the README shows held: it is still waiting when the rest are done.
        const output = new Promise<string>((resolve) => {
          held.push(execFile('sh', ['-c', shell(step.command)], (_error, stdout) => resolve(stdout)))
        })
        waiting.push({ step, output })
        continue
      }
      const { stdout } = await promisify(execFile)('sh', ['-c', shell(step.command)])
      expect(stdout, step.command).toBe(withEpoch(step.prints, epoch))
    }

    expect(waiting.length).toBeGreaterThan(0)
    const answered = await Promise.race([
      Promise.all(waiting.map(({ output }) => output)).then(() => true),
      // Every command after the held ones has been answered; a held one has had that long to answer wrongly.
      new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
    ])
    expect(answered, 'a held command was answered before any cart changed').toBe(false)

    // "held until someone's cart changes": a change answers it with the new stock.
    await fetch(`${server.url}/cart`, { method: 'POST', body: new URLSearchParams({ session: 'xyz', action: 'add' }) })
    for (const { output } of waiting) expect(JSON.parse(await output)).toMatchObject({ inventoryCount: 8, epoch })
  })
})
