import type { ServerResponse } from 'node:http'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { Hono } from 'hono'
import { z } from 'zod'
import { MAX_POLL_TIMEOUT_SECONDS } from '../../config.js'
import type { Hub } from '../../push/hub.js'
import type { Published } from '../../push/published.js'
import { jsonAnswer, writeJsonAnswer } from '../answer.js'
import { methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { parseInput, versionCursor } from '../input.js'
import { clientAddressOf, nodeResponseOf } from '../node-bindings.js'

const statusQuery = z.object({
  since: versionCursor('since').optional(),
  timeout: z
    .string()
    .regex(/^\d+$/, { error: `timeout must be a whole number of seconds from 1 to ${MAX_POLL_TIMEOUT_SECONDS}` })
    .transform(Number)
    .refine((seconds) => seconds >= 1 && seconds <= MAX_POLL_TIMEOUT_SECONDS, {
      error: `timeout must be a whole number of seconds from 1 to ${MAX_POLL_TIMEOUT_SECONDS}`,
    })
    .optional(),
})

// A closing hub answers at once; on a kept-alive connection the client would poll again straight away and
// be answered again, in a loop, so while closing the connection is closed with the answer.
const CLOSE_CONNECTION = { Connection: 'close' }

/**
 * `GET /status?since=<version>`: the long poll. Answered at once when `since` is behind, otherwise held until
 * the version moves past it or the timeout passes; either way the body is the snapshot to show, and its
 * version is the cursor for the next poll.
 *
 * Under @hono/node-server a held request is answered by writing to Node's response from the hub's fan-out,
 * as a bare node:http server would; the handler returns at once. Going back through a promise, Hono and a
 * Response for each of thousands of waiters doubled the CPU a fan-out costs (see the README's Performance
 * section). Elsewhere, as under `app.request()`, the answer is an ordinary Response.
 */
export function statusRoutes(hub: Hub, pollTimeoutSeconds: number, heldPerClient: HeldPerClient): Hono {
  return new Hono()
    .get('/status', (c) => {
      const { since, timeout = pollTimeoutSeconds } = parseInput(statusQuery, c.req.query())
      const release = heldPerClient.admit(clientAddressOf(c))
      const outgoing = nodeResponseOf(c)
      try {
        return outgoing
          ? holdOnNode(hub, since, timeout * 1000, outgoing, release)
          : holdAsResponse(hub, since, timeout * 1000, c.req.raw.signal, release)
      } catch (error) {
        release()
        throw error
      }
    })
    .all('/status', methodNotAllowed('GET'))
}

/**
 * Holds the request and writes its answer to Node's response later. Its closures see only what they need:
 * one that saw the Hono context would keep the whole request alive for as long as it is held.
 */
function holdOnNode(
  hub: Hub,
  since: number | undefined,
  timeoutMs: number,
  outgoing: ServerResponse,
  release: () => void,
): Response {
  const cancel = hub.wait(since, timeoutMs, ({ json, byteLength }: Published) =>
    writeJsonAnswer(outgoing, json, byteLength, hub.closed ? CLOSE_CONNECTION : undefined),
  )
  // Also emitted once the answer is written, when cancelling is a no-op.
  outgoing.once('close', () => {
    cancel()
    release()
  })
  return RESPONSE_ALREADY_SENT
}

function holdAsResponse(
  hub: Hub,
  since: number | undefined,
  timeoutMs: number,
  signal: AbortSignal,
  release: () => void,
): Promise<Response> {
  return new Promise((resolve) => {
    const cancel = hub.wait(since, timeoutMs, ({ json }: Published) => {
      release()
      resolve(jsonAnswer(json, 200, hub.closed ? CLOSE_CONNECTION : undefined))
    })
    signal.addEventListener(
      'abort',
      () => {
        cancel()
        release()
      },
      { once: true },
    )
  })
}
