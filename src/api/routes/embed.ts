import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type MiddlewareHandler } from 'hono'
import { etag, RETAINED_304_HEADERS } from 'hono/etag'
import { ApiError } from '../../edge/api-error.js'

/** The folders of the page's files that a shop's own pages load: the drop-in elements, the client, and what they draw with. */
const EMBEDDED = ['embed', 'client', 'ui'] as const

/** A script's name: a `:file` of `..` or the like names none. */
const SCRIPT = /^[\w-]+\.js$/

/** A year: a versioned file never changes, since another version has another URL. */
const VERSIONED_CACHE = 'public, max-age=31536000, immutable'

/**
 * The version of the embedded files: a digest of every one of them, so that any change, with or without a
 * release, gives them new URLs.
 */
function versionOf(publicDir: string): string {
  const digest = createHash('sha256')
  for (const folder of EMBEDDED) {
    for (const name of readdirSync(join(publicDir, folder)).sort()) {
      digest.update(`${folder}/${name}\0`).update(readFileSync(join(publicDir, folder, name)))
    }
  }
  return digest.digest('hex').slice(0, 12)
}

/**
 * Any page may load the scripts: they are the same for everyone and carry nothing of a shopper's. What a
 * page may then read of the stock is `ALLOWED_ORIGINS`'s to say.
 */
const anyOrigin: MiddlewareHandler = async function anyOrigin(c, next) {
  await next()
  c.header('Access-Control-Allow-Origin', '*')
  c.header('X-Content-Type-Options', 'nosniff')
}

/**
 * `GET /embed.js`, the one script a shop's page loads for the drop-in elements: it is asked again each time
 * (a 304 while unchanged) and imports the elements from `/v/<version>/`, which a browser keeps for a year.
 */
export function embedRoutes(publicDir: string): Hono {
  const version = versionOf(publicDir)
  const loader = `import './v/${version}/embed/elements.js'\n`
  const app = new Hono()
  app.use('/embed.js', anyOrigin, etag())
  app.use(`/v/*`, anyOrigin, etag({ retainedHeaders: ['access-control-allow-origin', ...RETAINED_304_HEADERS] }))
  app.get('/embed.js', (c) => {
    c.header('Cache-Control', 'no-cache')
    c.header('ETag', `"${version}"`)
    return c.body(loader, 200, { 'Content-Type': 'text/javascript; charset=utf-8' })
  })
  app.get('/v/:version/:folder/:file', async (c, next) => {
    const { folder, file } = c.req.param()
    if (c.req.param('version') !== version || !(EMBEDDED as readonly string[]).includes(folder) || !SCRIPT.test(file)) {
      throw new ApiError(404, 'not_found', `there is no ${c.req.path}: this stockpoll serves /v/${version}/`)
    }
    c.header('Cache-Control', VERSIONED_CACHE)
    return serveStatic({ root: publicDir, path: `${folder}/${file}` })(c, next)
  })
  return app
}
