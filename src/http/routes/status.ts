import { Hono } from 'hono'
import { z } from 'zod'
import { MAX_POLL_TIMEOUT_SECONDS } from '../../config.js'
import type { Hub } from '../../push/hub.js'
import { methodNotAllowed } from '../errors.js'
import { parseInput } from '../input.js'

const statusQuery = z.object({
  since: z
    .string()
    .regex(/^\d+$/, { error: 'since must be a non-negative whole number: the version you last saw' })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: 'since is larger than any version' })
    .optional(),
  timeout: z
    .string()
    .regex(/^\d+$/, { error: `timeout must be a whole number of seconds from 1 to ${MAX_POLL_TIMEOUT_SECONDS}` })
    .transform(Number)
    .refine((seconds) => seconds >= 1 && seconds <= MAX_POLL_TIMEOUT_SECONDS, {
      error: `timeout must be a whole number of seconds from 1 to ${MAX_POLL_TIMEOUT_SECONDS}`,
    })
    .optional(),
})

/**
 * `GET /status?since=<version>`: the long poll. Answered at once when `since` is behind, otherwise held until
 * the version moves past it or the timeout passes; either way the body is the snapshot to show, and its
 * version is the cursor for the next poll.
 */
export function statusRoutes(hub: Hub, pollTimeoutSeconds: number): Hono {
  return new Hono()
    .get('/status', async (c) => {
      const { since, timeout = pollTimeoutSeconds } = parseInput(statusQuery, c.req.query())
      const published = await hub.wait(since, { timeoutMs: timeout * 1000, signal: c.req.raw.signal })
      // A closing hub answers at once; on a kept-alive connection the client would poll again straight away
      // and be answered again, in a loop, so the connection is closed with the answer.
      const connection = hub.closed ? { Connection: 'close' } : {}
      return c.body(published.json, 200, { 'Content-Type': 'application/json', ...connection })
    })
    .all('/status', methodNotAllowed('GET'))
}
