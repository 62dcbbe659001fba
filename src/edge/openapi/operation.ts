import type { z } from 'zod'
import type { BodySchemas } from '../input.js'

export type Method = 'get' | 'post' | 'put' | 'delete'

/** One answer an operation may give: what it means, and its body's schema and type, when it has one. */
export interface Answer {
  readonly description: string
  readonly body?: z.ZodType
  /** `application/json` when not said. */
  readonly contentType?: string
  /** Headers it carries that a client acts on, by name, with what each means. */
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * One route of the API as `GET /openapi.json` describes it. The schemas are the ones its handler validates
 * the request with, so the description cannot say one thing while the route checks another.
 */
export interface Operation {
  readonly method: Method
  /** The path as OpenAPI writes it: `/products/{sku}`. */
  readonly path: string
  readonly summary: string
  readonly description?: string
  /** Behind the admin's bearer token. */
  readonly admin?: true
  /** The path's parameters, by name: an object schema, as are the query's and the headers'. */
  readonly params?: z.ZodType
  readonly query?: z.ZodType
  /** The request headers it reads, by name. */
  readonly headers?: z.ZodType
  /** The body's fields, as a form or as JSON, each its own schema. */
  readonly body?: BodySchemas
  readonly answers: Readonly<Record<number, Answer>>
}

/** An operation's path as Hono routes it: `/products/:sku`. */
export const routeOf = ({ path }: Pick<Operation, 'path'>): string => path.replace(/\{(\w+)\}/g, ':$1')

/** The header of an answer given again to a change's `Idempotency-Key`. */
export const REPLAYED_HEADER = {
  'Idempotent-Replayed': 'true when this is the answer first given to the same Idempotency-Key',
} as const
