import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './free-port.js'

/** Debian's nginx (`apt-get install -y nginx`). */
export const NGINX_PATH = process.env.NGINX_PATH ?? '/usr/sbin/nginx'

/** The example configuration docs/operations.md points to, which the test runs as it is but for its ports. */
const EXAMPLE_CONFIG = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url))

/**
 * Whether the nginx tests run: always in CI, where a missing nginx must fail them, and elsewhere only where
 * nginx is installed.
 */
export const runNginxTests = process.env.CI === 'true' || existsSync(NGINX_PATH)

if (!runNginxTests) {
  console.warn(`nginx tests skipped: no nginx at ${NGINX_PATH} (apt-get install -y nginx, or set NGINX_PATH)`)
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.end()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

/**
 * Runs nginx with `deploy/nginx.conf`, its upstream servers replaced by `upstreams` and its port by a free
 * one, in a directory of its own, until `stop()`.
 */
export async function startNginx(upstreams: readonly string[]) {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'stockpoll-nginx-'))
  const example = readFileSync(EXAMPLE_CONFIG, 'utf8')
  const site = example
    .replace(/^\s*server 127\.0\.0\.1:\d+;\n/gm, '')
    .replace(/upstream stockpoll \{\n/, `$&${upstreams.map((address) => `    server ${address};\n`).join('')}`)
    .replace(/listen \d+;/, `listen 127.0.0.1:${port};`)
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      // As root nginx would run its workers as nobody, who cannot use this directory.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      'error_log stderr warn;',
      'events {}',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind};`),
      site,
      '}',
    ].join('\n'),
  )
  const child = spawn(NGINX_PATH, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'])
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const deadline = Date.now() + 5000
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${output}`)
    await sleep(50)
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop(): Promise<void> {
      if (child.exitCode === null) {
        child.kill('SIGQUIT')
        await new Promise((resolve) => child.once('exit', resolve))
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
