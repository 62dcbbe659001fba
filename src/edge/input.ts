import { z } from 'zod'
import { TOKEN, TOKEN_SHAPE } from '../domain/tokens.js'
import type { Cursor } from '../push/watch.js'
import { invalidRequest } from './api-error.js'

/** One value of a field: text, and not given twice (a repeated form or query field comes as an array). */
export const singleText = (name: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a single string`),
  })

/** A shopper's id: what `POST /session` mints, or any id a script picks. */
export const sessionField = singleText('session').regex(TOKEN, { error: `session must be ${TOKEN_SHAPE}` })

/** An order, as its id names it: a nanoid. */
const orderIdField = singleText('id')
  .regex(TOKEN, { error: 'id must be an order id' })
  .meta({ examples: ['V1StGXR8_Z5jdHi6B-myT'] })

/** The path of an order's routes: `/orders/{id}`, `/admin/orders/{id}/…`. */
export const orderPath = z.object({ id: orderIdField })

/** A product, as a client names it. */
export const skuField = singleText('sku').regex(TOKEN, { error: `sku must be ${TOKEN_SHAPE}` })

/** A product's name, wherever one is given: the catalog file, the admin API. */
export const productName = z
  .string({ error: (issue) => (issue.input === undefined ? 'name is required' : 'name must be a string') })
  .trim()
  .min(1, { error: 'name must not be empty' })
  .max(200, { error: 'name must be at most 200 characters' })

/**
 * The `Idempotency-Key` a change may carry: the same change sent again under it happens once, and is
 * answered as it was the first time.
 */
export const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, {
      error: 'Idempotency-Key must be 1 to 255 printable ASCII characters, such as a UUID',
    })
    .optional()
    .meta({ description: 'Makes a retry safe: the same request under the same key happens once' }),
})

/**
 * How a request's fields come: as text (a form, a query, a path), where a number is written in digits, or as
 * JSON, where a number is a number and `"2"` is text.
 */
export type FieldSource = 'text' | 'json'

/** A whole number from `min` to `max`: digits in text, a number in JSON. */
export const wholeNumber = (name: string, min: number, max: number, source: FieldSource = 'text') => {
  const error = {
    error: (issue: { readonly input: unknown }) =>
      issue.input === undefined ? `${name} is required` : `${name} must be a whole number from ${min} to ${max}`,
  }
  const number = z.number(error).int(error).min(min, error).max(max, error)
  return source === 'json'
    ? number
    : z
        .string(error)
        .regex(/^-?\d+$/, error)
        .transform(Number)
        .pipe(number)
}

/** Yes or no: `true` or `false`, as text or as JSON. */
export const flag = (name: string, source: FieldSource = 'text') => {
  const error = { error: `${name} must be true or false` }
  return source === 'json' ? z.boolean(error) : z.enum(['true', 'false'], error).transform((text) => text === 'true')
}

/** A body's schema as JSON, and as form fields (text) where the route takes a form too. */
export interface BodySchemas<Schema extends z.ZodType = z.ZodType> {
  readonly text?: Schema
  readonly json: Schema
}

/** A body's schemas, each built once, from one description of its fields for either source. */
export const bodySchemas = <Schema extends z.ZodType>(
  build: (source: FieldSource) => Schema,
): Required<BodySchemas<Schema>> => ({
  text: build('text'),
  json: build('json'),
})

/** The widest `?timeout=` a client may ask for, and the widest `POLL_TIMEOUT_SECONDS`. */
export const MAX_POLL_TIMEOUT_SECONDS = 120

/**
 * The most products one request, stream or socket may name, each up to `MAX_TOKEN_LENGTH` long. A poll or a
 * stream names them in its URL, commas encoded as `%2C` as browsers send them: 100 of the longest take under
 * 7 KB, inside the 8 KB a request line may have behind nginx as it comes, and Node's 16 KiB for the whole
 * head. More are watched as `*`.
 */
export const MAX_WATCHED_SKUS = 100

/**
 * The products a client watches, as `?skus=` names them: `*` for the whole catalog, or SKUs separated by
 * commas, at most `MAX_WATCHED_SKUS`.
 */
export const skusField = singleText('skus').transform((text, ctx): '*' | string[] => {
  if (text === '*') return '*'
  const skus = [...new Set(text.split(','))]
  if (skus.length > MAX_WATCHED_SKUS || !skus.every((sku) => TOKEN.test(sku))) {
    ctx.addIssue({
      code: 'custom',
      message: `skus must be * or at most ${MAX_WATCHED_SKUS} SKUs (each ${TOKEN_SHAPE}) separated by commas`,
    })
    return z.NEVER
  }
  return skus
})

/** A version a client last saw, as text from a query or a header: the cursor of `/status` and `/events`. */
export const versionCursor = (name: string) =>
  singleText(name)
    .regex(/^\d+$/, { error: `${name} must be a non-negative whole number: the version you last saw` })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: `${name} is larger than any version` })

/** The epoch a client's version belongs to, as every snapshot gives it. */
export const epochField = (name: string) =>
  singleText(name).regex(TOKEN, { error: `${name} must be the epoch of a snapshot you were sent` })

/**
 * A query that may carry a cursor (`since`, the version a client last saw, and `epoch`, the epoch it is of;
 * an epoch only with a version), and the fields of `shape`; parsed, it gives the `Cursor`, or none.
 */
export const cursorQuery = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z
    .object({
      since: versionCursor('since')
        .optional()
        .meta({
          description: 'The version you last saw: answered at once when anything watched is past it',
          examples: ['0'],
        }),
      epoch: epochField('epoch')
        .optional()
        .meta({
          description: 'The epoch that version is of: another one is answered at once',
          examples: ['cCKTTWTd4KrnYEbFIRVh9'],
        }),
      ...shape,
    })
    .refine((query) => (query as CursorFields).epoch === undefined || (query as CursorFields).since !== undefined, {
      error: 'epoch goes with since: the version you last saw in that epoch',
    })
    .transform((query) => ({ ...query, cursor: cursorOf(query as CursorFields) }))

/** The fields `cursorQuery` reads, as its schema gives them (TypeScript cannot see them through `Shape`). */
interface CursorFields {
  readonly since?: number | undefined
  readonly epoch?: string | undefined
}

const cursorOf = ({ since, epoch }: CursorFields): Cursor | undefined =>
  since === undefined ? undefined : { version: since, epoch }

/** Checks `input` against `schema`; a mismatch is a 400 whose message names every bad field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw invalidRequest(parsed.error.issues.map((issue) => issue.message).join('; '))
  return parsed.data
}

/**
 * The value of a JSON text from a client: `what` (the body, the frame) that is not JSON, or that names a key
 * twice in one object, is a 400. `JSON.parse` would let the last of two keys silently win.
 */
export function parseJson(text: string, what: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw invalidRequest(`${what} is not valid JSON`)
  }
  const repeated = repeatedKeyOf(text)
  if (repeated !== undefined) throw invalidRequest(`${what} names ${JSON.stringify(repeated)} more than once`)
  return value
}

/** The first key a valid JSON text names twice in one object, if any. */
function repeatedKeyOf(json: string): string | undefined {
  // The keys of each object open at this point of the text, innermost last.
  const open: Set<string>[] = []
  let lastString: string | undefined
  for (const [token] of json.matchAll(/"(?:[^"\\]|\\.)*"|[{}:]/g)) {
    if (token === '{') open.push(new Set())
    else if (token === '}') open.pop()
    else if (token === ':') {
      const key = JSON.parse(lastString!) as string
      const keys = open.at(-1)!
      if (keys.has(key)) return key
      keys.add(key)
    } else lastString = token
  }
  return undefined
}

/** A body's fields, unchecked, and how they came. */
export interface BodyFields {
  readonly source: FieldSource
  readonly fields: unknown
}

/**
 * Form fields (or a query's) by name, a repeated one as an array, as `parseBody({ all: true })` gives them.
 * Parsed here because Hono's parseBody builds a whole Response to read a urlencoded body, the cost of every
 * cart action.
 */
export function fieldsOf(form: URLSearchParams): Record<string, string | string[]> {
  // fromEntries defines own properties, so a field named __proto__ is just a field.
  return Object.fromEntries(
    [...new Set(form.keys())].map((name) => {
      const values = form.getAll(name)
      return [name, values.length === 1 ? values[0]! : values]
    }),
  )
}
