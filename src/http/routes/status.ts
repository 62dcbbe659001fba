import type { ServerResponse } from 'node:http'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { Hono } from 'hono'
import { MAX_POLL_TIMEOUT_SECONDS } from '../../config.js'
import type { Cursor, Hub, Reason } from '../../push/hub.js'
import type { Published } from '../../push/published.js'
import { jsonAnswer, writeJsonAnswer } from '../answer.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { cursorQuery, parseInput, queryFields, singleText } from '../input.js'
import { nodeResponseOf } from '../node-bindings.js'
import { jitteredReconnectMs } from '../reconnect-pacing.js'

const timeoutError = `timeout must be a whole number of seconds from 1 to ${MAX_POLL_TIMEOUT_SECONDS}`

const statusQuery = cursorQuery({
  timeout: singleText('timeout')
    .regex(/^\d+$/, { error: timeoutError })
    .transform(Number)
    .refine((seconds) => seconds >= 1 && seconds <= MAX_POLL_TIMEOUT_SECONDS, { error: timeoutError })
    .optional(),
})

// A closing hub answers at once; on a kept-alive connection the client would poll again straight away and
// be answered again, in a loop, so while closing the connection is closed with the answer.
const CLOSE_CONNECTION = { Connection: 'close' }

/** When the client should poll again, in ms: at once after a change, later and spread out otherwise. */
const retryAfterMsFor = (reason: Reason): number => (reason === 'changed' ? 0 : jitteredReconnectMs())

/**
 * The body of a /status answer: the snapshot, `"resync": true` when the client's epoch is not the
 * snapshot's (it must redraw from scratch), and `retryAfterMs`.
 */
const statusBody = (json: string, resync: boolean, retryAfterMs: number): string =>
  `${json.slice(0, -1)}${resync ? ',"resync":true' : ''},"retryAfterMs":${retryAfterMs}}`

// The answers to poll again at once are the same for every waiter of a version: built once per version.
const promptly = ({ json }: Published) => statusBody(json, false, 0)
const promptlyResync = ({ json }: Published) => statusBody(json, true, 0)

/** Sends the body of a /status answer, with whether it closes the connection. */
type SendAnswer = (body: string, closing: boolean) => void

/** The hub's delivery for a client that said `epoch` (or nothing), sending its answer through `send`. */
function answerWith(epoch: string | undefined, send: SendAnswer) {
  return (published: Published, reason: Reason): void => {
    const resync = epoch !== undefined && epoch !== published.snapshot.epoch
    const retryAfterMs = retryAfterMsFor(reason)
    const body =
      retryAfterMs === 0
        ? published.as(resync ? promptlyResync : promptly)
        : statusBody(published.json, resync, retryAfterMs)
    send(body, reason === 'closing')
  }
}

export interface StatusRouteOptions {
  readonly hub: Hub
  /** How long a poll is held when the client names no `timeout`. */
  readonly pollTimeoutSeconds: number
  readonly heldPerClient: HeldPerClient
}

/**
 * `GET /status?since=<version>&epoch=<epoch>`: the long poll. Answered at once when `since` is behind or
 * `epoch` is not the current one, otherwise held until the version moves past it or the timeout passes;
 * either way the body is the snapshot to show, and its version and epoch are the cursor for the next poll.
 * `retryAfterMs` says how long to wait before that poll.
 *
 * Under @hono/node-server a held request is answered by writing to Node's response from the hub's fan-out,
 * as a bare node:http server would; the handler returns at once. Going back through a promise, Hono and a
 * Response for each of thousands of waiters would cost a fan-out much of its CPU (the README's Performance
 * section has the figures). Elsewhere, as under `app.request()`, the answer is an ordinary Response.
 */
export function statusRoutes({ hub, pollTimeoutSeconds, heldPerClient }: StatusRouteOptions): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/status', (c) => {
      const { cursor, timeout = pollTimeoutSeconds } = parseInput(statusQuery, queryFields(c))
      const release = heldPerClient.admit(c.get('client'))
      const outgoing = nodeResponseOf(c)
      try {
        return outgoing
          ? holdOnNode(hub, cursor, timeout * 1000, outgoing, release)
          : holdAsResponse(hub, cursor, timeout * 1000, c.req.raw.signal, release)
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
  cursor: Cursor | undefined,
  timeoutMs: number,
  outgoing: ServerResponse,
  release: () => void,
): Response {
  // A poll has no body. Read to its end now, the request's own end-of-stream work runs as it arrives, where
  // Node would otherwise do it as the answer is written, in the middle of a fan-out, delaying the next answers.
  outgoing.req.resume()
  const deliver = answerWith(cursor?.epoch, (body, closing) =>
    writeJsonAnswer(outgoing, body, closing ? CLOSE_CONNECTION : undefined),
  )
  const cancel = hub.wait(cursor, timeoutMs, deliver)
  // Emitted once, also after the answer is written, when cancelling is a no-op; `on` spares a fan-out the
  // work of removing a once-listener from every response.
  outgoing.on('close', () => {
    cancel()
    release()
  })
  return RESPONSE_ALREADY_SENT
}

function holdAsResponse(
  hub: Hub,
  cursor: Cursor | undefined,
  timeoutMs: number,
  signal: AbortSignal,
  release: () => void,
): Promise<Response> {
  return new Promise((resolve) => {
    const deliver = answerWith(cursor?.epoch, (body, closing) => {
      release()
      resolve(jsonAnswer(body, 200, closing ? CLOSE_CONNECTION : undefined))
    })
    const cancel = hub.wait(cursor, timeoutMs, deliver)
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
