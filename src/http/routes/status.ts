import type { ServerResponse } from 'node:http'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { Hono } from 'hono'
import { z } from 'zod'
import { MAX_POLL_TIMEOUT_SECONDS } from '../../config.js'
import type { Hub } from '../../push/hub.js'
import type { Reason } from '../../push/subscription.js'
import type { Cursor, Watch } from '../../push/watch.js'
import type { Encoding, Update } from '../../push/update.js'
import { jsonAnswer, NodeJsonAnswers } from '../answer.js'
import type { AppEnv } from '../app-env.js'
import { methodNotAllowed } from '../errors.js'
import type { HeldPerClient } from '../guards/held-per-client.js'
import { cursorQuery, fieldsOf, parseInput, singleText, skusField } from '../input.js'
import { nodeResponseOf } from '../node-bindings.js'
import { routeOf, type Operation } from '../openapi/operation.js'
import { HOLDING_REFUSED, refusals } from '../openapi/refusals.js'
import { jitteredReconnectMs } from '../reconnect-pacing.js'
import { Remembered } from '../remembered.js'
import { RepollGate } from '../repoll-gate.js'
import { catalogBodySchema, classicStockBody } from '../stock-bodies.js'
import type { ClassicApi } from '../classic.js'
import { catalogJson, watchOf } from '../watch.js'

const timeoutError = `timeout must be a whole number of seconds from 1 to ${MAX_POLL_TIMEOUT_SECONDS}`

const statusQuery = cursorQuery({
  skus: skusField.optional().meta({ description: 'The products to watch: * for all; none for the classic poll' }),
  timeout: singleText('timeout')
    .regex(/^\d+$/, { error: timeoutError })
    .transform(Number)
    .refine((seconds) => seconds >= 1 && seconds <= MAX_POLL_TIMEOUT_SECONDS, { error: timeoutError })
    .optional()
    .meta({ description: 'How long to hold the poll, in seconds' }),
})

type StatusQuery = Readonly<z.output<typeof statusQuery>>

/** How many distinct queries `LongPolls` keeps checked; clients on one version send a handful between them. */
const REMEMBERED_QUERIES = 256

const pollAgain = {
  resync: z.literal(true).optional().meta({ description: 'The epoch changed: redraw from scratch' }),
  retryAfterMs: z.number().int().min(0).meta({ description: 'How long to wait before the next poll' }),
}

const poll = {
  method: 'get',
  path: '/status',
  summary: 'The long poll: answered when a watched product moves past `since`, or at the timeout',
  description:
    'Answered at once when the cursor (since, epoch) is behind or of another epoch. Without skus it is the ' +
    'classic poll of the default product, answered with its stock; with them, with the products that moved.',
  query: statusQuery,
  answers: {
    200: {
      description: 'The stock, and the cursor for the next poll',
      body: z.union([classicStockBody.extend(pollAgain), catalogBodySchema.extend(pollAgain)]),
    },
    ...refusals([400, 404, 429, 503], { 503: HOLDING_REFUSED }),
  },
} as const satisfies Operation

export const statusOperations: readonly Operation[] = [poll]

// A closing hub answers at once; on a kept-alive connection the client would poll again straight away and
// be answered again, in a loop, so while closing the connection is closed with the answer.
const CLOSE_CONNECTION = { Connection: 'close' }

/** When the client should poll again, in ms: at once after a change, later and spread out otherwise. */
const retryAfterMsFor = (reason: Reason): number => (reason === 'changed' ? 0 : jitteredReconnectMs())

/**
 * The body of a /status answer: the update's JSON, `"resync": true` when the client's epoch is not the
 * current one (it must redraw from scratch), and `retryAfterMs`.
 */
const statusBody = (json: string, resync: boolean, retryAfterMs: number): string =>
  `${json.slice(0, -1)}${resync ? ',"resync":true' : ''},"retryAfterMs":${retryAfterMs}}`

/** How a watch's answers are written: as JSON, and as the answer to poll again at once. */
interface AnswerForm {
  readonly json: Encoding
  readonly promptly: Encoding
}

/** The answers to poll again at once are the same for every client sent an update: built once per update. */
const answerForm = (json: Encoding): AnswerForm => ({
  json,
  promptly: (update) => statusBody(update.as(json), update.resync, 0),
})

const CATALOG_FORM = answerForm(catalogJson)

/** A poll, as the hub holds it. */
export interface Poll {
  readonly watch: Watch
  readonly cursor: Cursor | undefined
  readonly timeoutMs: number
  readonly form: AnswerForm
}

/** Sends the body of a /status answer, with whether it closes the connection. */
type SendAnswer = (body: string, closing: boolean) => void

/** The hub's delivery for a waiter whose answers take `form`, sending its answer through `send`. */
function answerWith({ json, promptly }: AnswerForm, send: SendAnswer) {
  return (update: Update, reason: Reason): void => {
    const retryAfterMs = retryAfterMsFor(reason)
    const body = retryAfterMs === 0 ? update.as(promptly) : statusBody(update.as(json), update.resync, retryAfterMs)
    send(body, reason === 'closing')
  }
}

export interface LongPollOptions {
  readonly hub: Hub
  /** What a poll that names no product is: the classic poll. */
  readonly classic: ClassicApi
  /** How long a poll is held when the client names no `timeout`. */
  readonly pollTimeoutSeconds: number
  readonly heldPerClient: HeldPerClient
}

/**
 * The long poll, wherever a request for it comes from: through the app (`statusRoutes`), or straight from
 * Node (`node-polls.ts`). Its query, checked; the poll it asks for; and holding it until it is answered.
 */
export class LongPolls {
  readonly #gate: RepollGate
  readonly #answers = new NodeJsonAnswers()
  readonly #classicForm: AnswerForm
  /**
   * The queries read lately, checked: after a fan-out every client polls again with the same query, so each
   * is parsed and checked once, not once per client.
   */
  readonly #queries = new Remembered(REMEMBERED_QUERIES, (search: string): StatusQuery =>
    parseInput(statusQuery, fieldsOf(new URLSearchParams(search))),
  )

  constructor(readonly options: LongPollOptions) {
    this.#gate = new RepollGate(options.hub)
    this.#classicForm = answerForm(options.classic.json)
  }

  /**
   * The poll a request's URL (whole, or its path and query) asks for. A bad query is a 400 naming each bad
   * field; a product the catalog lacks throws `UnknownProductError`.
   */
  pollFor(url: string): Poll {
    const queryAt = url.indexOf('?')
    return this.#pollOf(this.#queries.of(queryAt < 0 ? '' : url.slice(queryAt + 1)))
  }

  #pollOf({ cursor, skus, timeout = this.options.pollTimeoutSeconds }: StatusQuery): Poll {
    return {
      watch: watchOf(skus, this.options.classic, this.options.hub.catalog),
      cursor,
      timeoutMs: timeout * 1000,
      form: skus === undefined ? this.#classicForm : CATALOG_FORM,
    }
  }

  /**
   * Holds the request and writes its answer to Node's response later. Throws, holding nothing, when `client`
   * holds its limit already or the hub is full. Its closures see only what they need: one that saw the Hono
   * context would keep the whole request alive for as long as it is held.
   */
  holdOnNode({ watch, cursor, timeoutMs, form }: Poll, client: string, outgoing: ServerResponse): void {
    const release = this.options.heldPerClient.admit(client)
    try {
      // A poll has no body. Read to its end now, the request's own end-of-stream work runs as it arrives, where
      // Node would otherwise do it as the answer is written, in the middle of a fan-out, delaying the next answers.
      outgoing.req.resume()
      const gate = this.#gate
      const answers = this.#answers
      const deliver = answerWith(form, (body, closing) => {
        const socket = outgoing.socket
        answers.write(outgoing, body, closing ? CLOSE_CONNECTION : undefined)
        if (!closing) gate.holdBack(socket)
      })
      const cancel = this.options.hub.wait(watch, cursor, timeoutMs, deliver)
      // Emitted once, also after the answer is written, when cancelling is a no-op; `on` spares a fan-out the
      // work of removing a once-listener from every response.
      outgoing.on('close', () => {
        cancel()
        release()
      })
    } catch (error) {
      release()
      throw error
    }
  }

  /** Holds the request, to be answered with a Response: under `app.request()`, where there is no Node. */
  holdAsResponse({ watch, cursor, timeoutMs, form }: Poll, client: string, signal: AbortSignal): Promise<Response> {
    const release = this.options.heldPerClient.admit(client)
    let resolve: (answer: Response) => void = () => {}
    const answered = new Promise<Response>((settle) => (resolve = settle))
    const deliver = answerWith(form, (body, closing) => {
      release()
      resolve(jsonAnswer(body, 200, closing ? CLOSE_CONNECTION : undefined))
    })
    try {
      const cancel = this.options.hub.wait(watch, cursor, timeoutMs, deliver)
      signal.addEventListener(
        'abort',
        () => {
          cancel()
          release()
        },
        { once: true },
      )
    } catch (error) {
      release()
      throw error
    }
    return answered
  }
}

/**
 * `GET /status?skus=<sku,...|*>&since=<version>&epoch=<epoch>`: the long poll. Answered at once when a
 * product it watches is past `since`, or `epoch` is not the current one, otherwise held until one moves past
 * it or the timeout passes; either way its version and epoch are the cursor for the next poll, and
 * `retryAfterMs` says how long to wait before that poll. Without `skus` it is the classic poll of the
 * default product, answered with its stock; with them, the answer carries the products that moved.
 *
 * Under @hono/node-server a held request is answered by writing to Node's response from the hub's fan-out,
 * as a bare node:http server would; the handler returns at once. Going back through a promise, Hono and a
 * Response for each of thousands of waiters would cost a fan-out much of its CPU (the README's Performance
 * section has the figures). Elsewhere, as under `app.request()`, the answer is an ordinary Response.
 */
export function statusRoutes(polls: LongPolls): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get(routeOf(poll), (c) => {
      const asked = polls.pollFor(c.req.url)
      const outgoing = nodeResponseOf(c)
      if (!outgoing) return polls.holdAsResponse(asked, c.get('client'), c.req.raw.signal)
      polls.holdOnNode(asked, c.get('client'), outgoing)
      return RESPONSE_ALREADY_SENT
    })
    .all(routeOf(poll), methodNotAllowed('GET'))
}
