import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TOKEN } from '../../src/domain/tokens.js'
import { testApp } from '../helpers/test-app.js'

/** Any text, from short to far past every limit, ASCII or not. */
const anyText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ minLength: 1000, maxLength: 3000 }),
  fc.constantFrom('add', 'remove', 'abc', '', ' ', '__proto__', 'constructor', '-1', '1e3', 'null', '%00', '\u0000'),
)

/** A value that is not a cursor: `/status` and `/events` would hold a request with a good one. */
const notACursor = anyText.filter((text) => !/^\d+$/.test(text))

/** Cart fields that are always wrong somehow: a bad action, or a bad or missing session. */
const badCartFields = fc.oneof(
  fc.record({ session: anyText, action: anyText.filter((action) => action !== 'add' && action !== 'remove') }),
  fc.record({
    session: anyText.filter((session) => !TOKEN.test(session)),
    action: fc.constantFrom('add', 'remove'),
  }),
  fc.record({ action: fc.constantFrom('add', 'remove') }),
  fc.dictionary(anyText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
)

const body: fc.Arbitrary<{ type: string | undefined; text: string }> = fc.oneof(
  badCartFields.map((fields) => ({ type: 'application/json', text: JSON.stringify(fields) })),
  badCartFields.map((fields) => ({
    type: 'application/x-www-form-urlencoded',
    // JSON, not String(): a generated object may own a `toString` that is not a function.
    text: new URLSearchParams(
      Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    ).toString(),
  })),
  // The same field twice: a form must not let one of them win.
  fc.tuple(anyText, anyText).map(([first, second]) => ({
    type: 'application/x-www-form-urlencoded',
    text: `session=${encodeURIComponent(first)}&session=${encodeURIComponent(second)}&action=add`,
  })),
  fc.record({
    type: fc.option(
      fc.constantFrom('application/json', 'text/plain', 'application/xml', 'multipart/form-data', 'x/y; charset=utf-7'),
      {
        nil: undefined,
      },
    ),
    text: anyText,
  }),
)

const request = fc.oneof(
  fc.record({
    method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
    path: fc.constantFrom('/cart', '/session', '/status', '/events', '/ws', '/inventory', '/healthz', '/nowhere'),
    body,
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc.oneof(
      fc
        .tuple(notACursor, anyText)
        .map(([since, timeout]) => `/status?since=${encodeURIComponent(since)}&timeout=${encodeURIComponent(timeout)}`),
      notACursor.map((since) => `/events?since=${encodeURIComponent(since)}`),
      anyText.map((session) => `/cart?session=${encodeURIComponent(session)}&session=x`),
      anyText.map((path) => `/${encodeURIComponent(path)}`),
    ),
    body: fc.constant(undefined),
  }),
)

describe('the API under thousands of malformed requests', () => {
  it('never answers 5xx, refuses each with { error, message }, and changes nothing', async () => {
    const { app, inventory } = await testApp()
    const before = await inventory()
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, body: sent }) => {
        const response = await app.request(path, {
          method,
          ...(sent && { body: sent.text, headers: sent.type ? { 'Content-Type': sent.type } : {} }),
        })
        expect(response.status).toBeLessThan(500)
        if (response.status >= 400) {
          const refusal = (await response.json()) as Record<string, unknown>
          expect(Object.keys(refusal).sort()).toEqual(['error', 'message'])
          expect(typeof refusal.error).toBe('string')
          expect(typeof refusal.message).toBe('string')
        }
      }),
      { numRuns: 3000 },
    )
    expect(await inventory()).toEqual(before)
  }, 60_000)
})
