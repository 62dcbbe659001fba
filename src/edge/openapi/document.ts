import { z } from 'zod'
import type { Answer, Operation } from './operation.js'

/** What the document says of the API as a whole. */
export interface ApiInfo {
  readonly title: string
  readonly version: string
  readonly description: string
}

/** A schema as JSON Schema (draft 2020-12, OpenAPI 3.1's), as a request gives it or as an answer has it. */
const jsonSchemaOf = (schema: z.ZodType, io: 'input' | 'output') => {
  // Refinements and transforms have no JSON Schema: the shape they check is described, not their code.
  const jsonSchema = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // zod leaves out the examples of a schema that transforms, as they are of what it gives, not of what it
    // takes; ours are of what a client sends.
    override: ({ zodSchema, jsonSchema }) => {
      const examples: unknown = z.globalRegistry.get(zodSchema)?.examples
      if (Array.isArray(examples)) jsonSchema.examples ??= examples
    },
  })
  // The document names its dialect once, for every schema in it.
  delete jsonSchema.$schema
  return jsonSchema
}

/** An object schema's fields as OpenAPI parameters `in` the path, the query or the headers. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header') {
  if (!schema) return []
  const { properties = {}, required = [] } = jsonSchemaOf(schema, 'input') as {
    properties?: Record<string, { description?: string }>
    required?: string[]
  }
  return Object.entries(properties).map(([name, { description, ...property }]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    ...(description !== undefined && { description }),
    schema: property,
  }))
}

const answerOf = ({ description, body, contentType = 'application/json', headers = {} }: Answer) => ({
  description,
  ...(body && { content: { [contentType]: { schema: jsonSchemaOf(body, 'output') } } }),
  ...(Object.keys(headers).length > 0 && {
    headers: Object.fromEntries(
      Object.entries(headers).map(([name, meaning]) => [name, { description: meaning, schema: { type: 'string' } }]),
    ),
  }),
})

function operationOf(operation: Operation) {
  const { summary, description, admin, params, query, headers, body, answers } = operation
  const requestBody = body && {
    required: true,
    content: {
      ...(body.text && { 'application/x-www-form-urlencoded': { schema: jsonSchemaOf(body.text, 'input') } }),
      'application/json': { schema: jsonSchemaOf(body.json, 'input') },
    },
  }
  return {
    summary,
    ...(description !== undefined && { description }),
    ...(admin && { tags: ['admin'], security: [{ adminToken: [] }] }),
    parameters: [...parametersOf(params, 'path'), ...parametersOf(query, 'query'), ...parametersOf(headers, 'header')],
    ...(requestBody && { requestBody }),
    responses: Object.fromEntries(Object.entries(answers).map(([status, answer]) => [status, answerOf(answer)])),
  }
}

/**
 * The OpenAPI 3.1 document of `operations`, and of `webhooks`: the requests the server sends, by name (their
 * `path` is where they go).
 */
export function apiDocument(
  info: ApiInfo,
  operations: readonly Operation[],
  webhooks: Readonly<Record<string, Operation>> = {},
) {
  const paths: Record<string, Record<string, ReturnType<typeof operationOf>>> = {}
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = operationOf(operation)
  return {
    openapi: '3.1.0',
    info,
    paths,
    webhooks: Object.fromEntries(
      Object.entries(webhooks).map(([name, operation]) => [name, { [operation.method]: operationOf(operation) }]),
    ),
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN, as the server was started with' },
      },
    },
  }
}
