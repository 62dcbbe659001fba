import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { z } from 'zod'
import { jsonAnswer } from '../../edge/answer.js'
import { apiDocument } from '../../edge/openapi/document.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'
import { adminCatalogOperations } from './admin-catalog.js'
import { adminProductOperations } from './admin-products.js'
import { adminSalesOperations } from './admin-sales.js'
import { adminWebhookOperations, webhookEvent } from './admin-webhooks.js'
import { cartOperations } from './cart.js'
import { checkoutOperations } from './checkout.js'
import { healthOperations } from './health.js'
import { inventoryOperations } from './inventory.js'
import { metricsOperations } from './metrics.js'
import { productsOperations } from './products.js'
import { sessionOperations } from './session.js'

const describeApi = {
  method: 'get',
  path: '/openapi.json',
  summary: 'This description of the API, as OpenAPI 3.1',
  answers: { 200: { description: 'The document', body: z.record(z.string(), z.unknown()) } },
} as const satisfies Operation

/**
 * Every operation of the API, the admin's among them, and the push transports' (the gateway's), in the order
 * the document lists them.
 */
export const apiOperations = (push: readonly Operation[]): readonly Operation[] => [
  ...sessionOperations,
  ...inventoryOperations,
  ...productsOperations,
  ...cartOperations,
  ...checkoutOperations,
  ...push,
  ...healthOperations,
  ...metricsOperations,
  describeApi,
  ...adminCatalogOperations,
  ...adminProductOperations,
  ...adminSalesOperations,
  ...adminWebhookOperations,
]

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string
}

/**
 * `GET /openapi.json`: the API, described from the schemas its routes and the gateway's validate with; built
 * once.
 */
export function openapiRoutes(push: readonly Operation[]): Hono {
  const document = JSON.stringify(
    apiDocument(
      {
        title: 'stockpoll',
        version,
        description:
          "A shop's live stock: carts that hold units, checkout, and every change pushed to every open window " +
          'by long poll, Server-Sent Events or WebSocket. Refusals answer `{ error, message }`; /admin/* needs ' +
          'the bearer token the server was started with.',
      },
      apiOperations(push),
      { stockpollEvent: webhookEvent },
    ),
  )
  return new Hono().get(routeOf(describeApi), () => jsonAnswer(document))
}
