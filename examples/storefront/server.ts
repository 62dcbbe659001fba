// Serves the example storefront, a shop's own site on an origin of its own, with its pages pointed at the
// stockpoll at `stockpollUrl`: the HTML is written for the one `npm run example` starts.
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('.', import.meta.url))
/** Where the HTML expects stockpoll. */
export const EXAMPLE_STOCKPOLL_URL = 'http://localhost:3000'
const FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/shop.js': 'shop.js',
  '/style.css': 'style.css',
}
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

export interface Storefront {
  readonly url: string
  readonly server: Server
}

/** Starts the storefront on `port` of localhost (0: any free one). */
export async function startStorefront(stockpollUrl: string, port = 0): Promise<Storefront> {
  const server = createServer((req, res) => {
    const file = FILES[new URL(req.url ?? '/', 'http://storefront').pathname]
    if (file === undefined) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n')
    readFile(join(ROOT, file), 'utf8').then(
      (text) =>
        res
          .writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'text/plain', 'Cache-Control': 'no-store' })
          .end(text.replaceAll(EXAMPLE_STOCKPOLL_URL, stockpollUrl)),
      () => res.writeHead(500).end(),
    )
  })
  server.listen(port, 'localhost')
  await once(server, 'listening')
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, server }
}
