import type { ServerResponse } from 'node:http'
import { z } from 'zod'
import { NodeJsonAnswers } from '../edge/answer.js'
import { cursorQuery, fieldsOf, MAX_POLL_TIMEOUT_SECONDS, parseInput, singleText, skusField } from '../edge/input.js'
import type { Operation } from '../edge/openapi/operation.js'
import { HOLDING_REFUSED, refusals } from '../edge/openapi/refusals.js'
import { jitteredReconnectMs } from '../edge/reconnect-pacing.js'
import { Remembered } from '../edge/remembered.js'
import { catalogBodySchema, classicStockBody } from '../edge/stock-bodies.js'
import type { Hub } from '../push/hub.js'
import type { Reason } from '../push/subscription.js'
import type { Encoding, Update } from '../push/update.js'
import type { Cursor, Watch } from '../push/watch.js'
import type { ClassicApi } from './classic.js'
import type { RepollGate } from './repoll-gate.js'
import type { StockJson } from './stock-json.js'
import { watchOf } from './watch.js'

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
  readonly json: StockJson
  /** How long a poll is held when the client names no `timeout`. */
  readonly pollTimeoutSeconds: number
  readonly gate: RepollGate
}

/**
 * `GET /status?skus=<sku,...|*>&since=<version>&epoch=<epoch>`: the long poll. Answered at once when a
 * product it watches is past `since`, or `epoch` is not the current one, otherwise held until one moves past
 * it or the timeout passes; either way its version and epoch are the cursor for the next poll, and
 * `retryAfterMs` says how long to wait before that poll. Without `skus` it is the classic poll of the
 * default product, answered with its stock; with them, the answer carries the products that moved.
 *
 * A held poll is answered by writing to Node's response from the hub's fan-out, as a bare node:http server
 * would: no promise, `Response` or framework per waiter stands between the change and the wire.
 */
export class LongPolls {
  readonly #gate: RepollGate
  readonly #answers = new NodeJsonAnswers()
  readonly #classicForm: AnswerForm
  readonly #catalogForm: AnswerForm
  /**
   * The queries read lately, checked: after a fan-out every client polls again with the same query, so each
   * is parsed and checked once, not once per client.
   */
  readonly #queries = new Remembered(REMEMBERED_QUERIES, (search: string): StatusQuery =>
    parseInput(statusQuery, fieldsOf(new URLSearchParams(search))),
  )

  constructor(readonly options: LongPollOptions) {
    this.#gate = options.gate
    this.#classicForm = answerForm(options.json.classic)
    this.#catalogForm = answerForm(options.json.catalog)
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
      form: skus === undefined ? this.#classicForm : this.#catalogForm,
    }
  }

  /**
   * Holds the request and writes its answer to Node's response later; `release` is called once its
   * connection closes. Throws, holding nothing, when the hub is full. Its closures see only what they need,
   * so that a held poll keeps nothing else alive.
   */
  hold({ watch, cursor, timeoutMs, form }: Poll, outgoing: ServerResponse, release: () => void): void {
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
  }
}
