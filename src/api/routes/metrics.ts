import { Hono } from 'hono'
import { z } from 'zod'
import type { Metrics } from '../../metrics.js'
import { routeOf, type Operation } from '../../edge/openapi/operation.js'

const scrape = {
  method: 'get',
  path: '/metrics',
  summary: "This process's counters, in Prometheus's text format",
  answers: { 200: { description: 'The counters', contentType: 'text/plain', body: z.string() } },
} as const satisfies Operation

export const metricsOperations: readonly Operation[] = [scrape]

/** `GET /metrics`: what this process counted, for Prometheus to scrape. */
export function metricsRoutes(metrics: Metrics): Hono {
  return new Hono().get(routeOf(scrape), async () => {
    const text = await metrics.registry.metrics()
    return new Response(text, {
      headers: { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' },
    })
  })
}
