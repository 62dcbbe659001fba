import { describe, expect, it } from 'vitest'
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-event.js'
import type { z } from 'zod'
import { routeOf } from '../../src/edge/openapi/operation.js'
import { apiOperations } from '../../src/api/routes/openapi.js'
import { GATEWAY_PATHS } from '../../src/gateway/gateway.js'
import { testApp } from '../helpers/test-app.js'

const TOKEN = 'test-admin-token-0123456789abcdef0123456789'

/** The routes that serve the page and the scripts other sites' pages load, not the API. */
const PAGE_ROUTES = ['GET /p/:sku', 'GET /*', 'GET /admin', 'GET /embed.js', 'GET /v/:version/:folder/:file']

interface Parameter {
  readonly name: string
  readonly in: 'path' | 'query' | 'header'
  readonly schema: { readonly examples?: readonly (string | number)[] }
}

interface DocumentedOperation {
  readonly parameters: readonly Parameter[]
  readonly requestBody?: {
    readonly content: Record<string, { schema: { properties?: Record<string, { examples?: (string | number)[] }> } }>
  }
  readonly responses: Record<string, unknown>
}

type Document = { paths: Record<string, Record<string, DocumentedOperation>> }

const exampleOf = (schema: { examples?: readonly (string | number)[] }): string | undefined =>
  schema.examples?.[0] === undefined ? undefined : String(schema.examples[0])

/** A request built from what the document gives as examples: every parameter and field that has one. */
function exampleRequest(path: string, method: string, operation: DocumentedOperation): [string, RequestInit] {
  let url = path
  const query = new URLSearchParams()
  const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }
  for (const parameter of operation.parameters) {
    const example = exampleOf(parameter.schema)
    if (example === undefined) continue
    if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, example)
    else if (parameter.in === 'query') query.set(parameter.name, example)
    else headers[parameter.name] = example
  }
  const fields = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema.properties ?? {}
  const body = new URLSearchParams()
  for (const [name, field] of Object.entries(fields)) {
    const example = exampleOf(field)
    if (example !== undefined) body.set(name, example)
  }
  const init = { method: method.toUpperCase(), headers, ...(operation.requestBody && { body }) }
  return [`${url}${query.size > 0 ? `?${query}` : ''}`, init]
}

describe('GET /openapi.json', () => {
  it('describes every route the app serves, and nothing else', async () => {
    const { app, api } = await testApp({ adminToken: TOKEN })
    const document = (await (await app.request('/openapi.json')).json()) as Document & { openapi: string }
    expect(document.openapi).toBe('3.1.0')
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${routeOf({ path })}`),
    )
    const served = [
      ...api.routes.filter(({ method }) => method !== 'ALL').map(({ method, path }) => `${method} ${path}`),
      ...[...GATEWAY_PATHS].map((path) => `GET ${path}`),
    ].filter((route) => !PAGE_ROUTES.includes(route))
    expect(new Set(documented)).toEqual(new Set(served))
    expect(documented).toHaveLength(new Set(documented).size)
  })

  it('describes the webhook stockpoll posts: its signature headers and every event type', async () => {
    const { app } = await testApp()
    const { webhooks } = (await (await app.request('/openapi.json')).json()) as {
      webhooks: Record<string, { post: DocumentedOperation }>
    }
    const { parameters, requestBody } = webhooks.stockpollEvent!.post
    expect(parameters.map(({ name, in: where }) => `${where} ${name}`)).toEqual([
      'header webhook-id',
      'header webhook-timestamp',
      'header webhook-signature',
    ])
    const schema = requestBody!.content['application/json']!.schema as { properties: { type: { enum: string[] } } }
    expect(schema.properties.type.enum).toEqual([...WEBHOOK_EVENT_TYPES])
  })

  it('answers every documented route as documented: a documented status, with a body of its schema', async () => {
    const { app, gateway } = await testApp({ adminToken: TOKEN })
    const document = (await (await app.request('/openapi.json')).json()) as Document
    for (const operation of apiOperations(gateway.operations)) {
      const described = document.paths[operation.path]![operation.method]!
      const [url, init] = exampleRequest(operation.path, operation.method, described)
      const answer = await app.request(url, init)
      const label = `${operation.method.toUpperCase()} ${url} answered ${answer.status}`
      expect(Object.keys(described.responses), label).toContain(String(answer.status))
      const documentedAnswer = operation.answers[answer.status]!
      if ((documentedAnswer.contentType ?? 'application/json') !== 'application/json') {
        await answer.body?.cancel()
        continue
      }
      const parsed = (documentedAnswer.body as z.ZodType).safeParse(await answer.json())
      expect(parsed.error, label).toBeUndefined()
    }
  })
})
