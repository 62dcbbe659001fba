import { describe, expect, it } from 'vitest'
import { recordingLogger } from '../helpers/log-lines.js'
import { testApp } from '../helpers/test-app.js'

describe('request logs', () => {
  it('writes one JSON line per request, with the request id the client sent, or a fresh one, sent back', async () => {
    const { logger, lines } = recordingLogger('info')
    const { app } = await testApp({ logger })
    const named = await app.request('/inventory', { headers: { 'X-Request-Id': 'trace-42' } })
    const fresh = await app.request('/cart?session=abc')
    expect(named.headers.get('X-Request-Id')).toBe('trace-42')
    const freshId = fresh.headers.get('X-Request-Id')
    expect(freshId).toMatch(/^[\w-]{21}$/)

    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        msg: 'request',
        id: 'trace-42',
        method: 'GET',
        path: '/inventory',
        status: 200,
      }),
      expect.objectContaining({ level: 'info', msg: 'request', id: freshId, path: '/cart', status: 200 }),
    ])
    expect(JSON.stringify(lines())).not.toContain('session=abc')
  })

  it('logs held requests at debug only, so that a fan-out writes no line per waiter at info', async () => {
    const info = recordingLogger('info')
    const { app, postCart } = await testApp({ logger: info.logger })
    const polls = [app.request('/status?since=0'), app.request('/status?since=0')]
    await postCart({ session: 's', action: 'add' })
    await Promise.all(polls)
    expect(info.lines().map((line) => line.path)).toEqual(['/cart'])

    const debug = recordingLogger('debug')
    const second = await testApp({ logger: debug.logger })
    await second.postCart({ session: 's', action: 'add' })
    await second.app.request('/status?since=0')
    expect(debug.lines().at(-1)).toMatchObject({ level: 'debug', path: '/status' })
  })
})
