import type { Context } from 'hono'
import type { z } from 'zod'
import { invalidRequest } from '../edge/api-error.js'
import {
  fieldsOf,
  idempotencyHeaders,
  parseInput,
  parseJson,
  type BodyFields,
  type BodySchemas,
} from '../edge/input.js'
import { headerOf } from './node-bindings.js'

/** The request's `Idempotency-Key`, checked; a malformed one is a 400. */
export const idempotencyKeyOf = (c: Context): string | undefined =>
  parseInput(idempotencyHeaders, { 'Idempotency-Key': headerOf(c, 'Idempotency-Key') })['Idempotency-Key']

/** The fields of the query, a repeated one as an array, as a repeated form field is. */
export const queryFields = (c: Context): Record<string, string | string[]> =>
  Object.fromEntries(
    Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]),
  )

/**
 * The fields of a form-encoded or JSON body, unchecked. A repeated form field comes back as an array, so that
 * the schema refuses it instead of one of its values silently winning. JSON sent as a form (as `curl -d` does
 * unless told otherwise) is told so, rather than that its fields are missing.
 */
export async function readBodyFields(c: Context): Promise<BodyFields> {
  const type = headerOf(c, 'Content-Type')?.split(';', 1)[0]?.trim().toLowerCase()
  if (type === 'application/json') return { source: 'json', fields: parseJson(await c.req.text(), 'the body') }
  if (type === 'application/x-www-form-urlencoded') {
    const text = await c.req.text()
    if (/^\s*[[{]/.test(text)) {
      throw invalidRequest('the body is JSON, but its Content-Type says a form: send it as application/json')
    }
    return { source: 'text', fields: fieldsOf(new URLSearchParams(text)) }
  }
  if (type === 'multipart/form-data') {
    try {
      return { source: 'text', fields: await c.req.parseBody({ all: true }) }
    } catch {
      throw invalidRequest(`the body is not valid ${type}`)
    }
  }
  const said = type === undefined ? 'no Content-Type' : `Content-Type ${type}`
  throw invalidRequest(`the body has ${said}: send the fields as application/x-www-form-urlencoded or application/json`)
}

/** The body's fields, checked by the schema for how they came; a mismatch is a 400 naming each bad field. */
export async function readBody<Schema extends z.ZodType>(
  c: Context,
  schemas: BodySchemas<Schema>,
): Promise<z.output<Schema>> {
  const { source, fields } = await readBodyFields(c)
  const schema = schemas[source]
  if (!schema) throw invalidRequest('the body must be application/json')
  return parseInput(schema, fields)
}
