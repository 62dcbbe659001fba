import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLogLevel } from '../../src/log.js'
import { testApp } from '../helpers/test-app.js'

describe('request logs', () => {
  let lines: string[]
  beforeEach(() => {
    lines = []
    vi.spyOn(process.stdout, 'write').mockImplementation((line) => lines.push(String(line)) > 0)
    setLogLevel('info')
  })
  afterEach(() => {
    setLogLevel('warn')
    vi.restoreAllMocks()
  })
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>)

  it('writes one JSON line per request, with the request id the client sent, or a fresh one, sent back', async () => {
    const { app } = await testApp()
    const named = await app.request('/inventory', { headers: { 'X-Request-Id': 'trace-42' } })
    const fresh = await app.request('/cart?session=abc')
    expect(named.headers.get('X-Request-Id')).toBe('trace-42')
    const freshId = fresh.headers.get('X-Request-Id')
    expect(freshId).toMatch(/^[\w-]{21}$/)

    expect(logged()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'request',
        id: 'trace-42',
        method: 'GET',
        path: '/inventory',
        status: 200,
      }),
      expect.objectContaining({ level: 'info', msg: 'request', id: freshId, path: '/cart', status: 200 }),
    ])
    expect(JSON.stringify(logged())).not.toContain('session=abc')
  })

  it('logs held requests at debug only, so that a fan-out writes no line per waiter at info', async () => {
    const { app, postCart } = await testApp()
    const polls = [app.request('/status?since=0'), app.request('/status?since=0')]
    await postCart({ session: 's', action: 'add' })
    await Promise.all(polls)
    expect(logged().map((line) => line.path)).toEqual(['/cart'])

    setLogLevel('debug')
    await app.request('/status?since=0')
    expect(logged().at(-1)).toMatchObject({ level: 'debug', path: '/status' })
  })
})
