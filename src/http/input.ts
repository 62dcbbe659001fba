import type { Context } from 'hono'
import { z } from 'zod'
import { invalidRequest } from './errors.js'

/** A shopper's id: what `POST /session` mints, or any id a script picks. */
export const sessionField = z
  .string({ error: (issue) => (issue.input === undefined ? 'session is required' : 'session must be a single string') })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'session must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -' })

/** A version a client last saw, as text from a query or a header: the cursor of `/status` and `/events`. */
export const versionCursor = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, { error: `${name} must be a non-negative whole number: the version you last saw` })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: `${name} is larger than any version` })

/** The epoch a client's version belongs to, as every snapshot gives it. */
export const epochField = (name: string) =>
  z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: `${name} must be the epoch of a snapshot you were sent` })

/** Checks `input` against `schema`; a mismatch is a 400 whose message names every bad field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw invalidRequest(parsed.error.issues.map((issue) => issue.message).join('; '))
  return parsed.data
}


/**
 * The fields of a form-encoded or JSON body, unchecked. A repeated form field comes back as an array,
 * so that the schema refuses it instead of one of its values silently winning.
 */
export async function readBodyFields(c: Context): Promise<unknown> {
  const type = c.req.header('Content-Type')?.split(';', 1)[0]?.trim().toLowerCase()
  if (type === 'application/json') {
    try {
      return await c.req.json<unknown>()
    } catch {
      throw invalidRequest('the body is not valid JSON')
    }
  }
  if (type === 'application/x-www-form-urlencoded') return fieldsOf(new URLSearchParams(await c.req.text()))
  if (type === 'multipart/form-data') {
    try {
      return await c.req.parseBody({ all: true })
    } catch {
      throw invalidRequest(`the body is not valid ${type}`)
    }
  }
  throw invalidRequest('send the fields as application/x-www-form-urlencoded or application/json')
}

/**
 * Form fields by name, a repeated one as an array, as `parseBody({ all: true })` gives them. Parsed here
 * because Hono's parseBody builds a whole Response to read a urlencoded body, the cost of every cart action.
 */
function fieldsOf(form: URLSearchParams): Record<string, string | string[]> {
  // fromEntries defines own properties, so a field named __proto__ is just a field.
  return Object.fromEntries(
    [...new Set(form.keys())].map((name) => {
      const values = form.getAll(name)
      return [name, values.length === 1 ? values[0]! : values]
    }),
  )
}
