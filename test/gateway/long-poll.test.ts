import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'
import { eventually } from '../helpers/eventually.js'
import { track } from '../helpers/turns.js'
import { anyEpoch } from '../helpers/stock.js'

describe('GET /status', () => {
  it('answers at once with the current stock when since is behind', async () => {
    const { app, postCart } = await testApp()
    await postCart({ session: 'a', action: 'add' })
    await postCart({ session: 'b', action: 'add' })
    const response = await app.request('/status?since=0')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('application/json')
    expect(await response.json()).toEqual({
      inventoryCount: 8,
      totalInventory: 10,
      version: 2,
      epoch: anyEpoch,
      retryAfterMs: 0,
    })
  })

  it('holds the request until a cart changes, then answers with the new stock', async () => {
    const { app, postCart, hub, whenHeld } = await testApp()
    const poll = track(app.request('/status?since=0'))
    await whenHeld(1)
    expect(poll.settled).toBe(false)
    expect(hub.held).toBe(1)

    await postCart({ session: 'a', action: 'add' })
    await eventually(() => poll.settled)
    expect(poll.settled).toBe(true)
    expect(await poll.value!.json()).toEqual({
      inventoryCount: 9,
      totalInventory: 10,
      version: 1,
      epoch: anyEpoch,
      retryAfterMs: 0,
    })
  })

  it('is not released by an action that changes nothing', async () => {
    const { app, postCart, whenHeld, roundTrip } = await testApp()
    const poll = track(app.request('/status?since=0'))
    await whenHeld(1)
    await postCart({ session: 'a', action: 'remove' })
    await roundTrip()
    expect(poll.settled).toBe(false)
  })

  it('without since, waits for the next change, like the classic long poll', async () => {
    const { app, postCart, whenHeld } = await testApp()
    await postCart({ session: 'a', action: 'add' })
    const poll = track(app.request('/status'))
    await whenHeld(1)
    expect(poll.settled).toBe(false)
    await postCart({ session: 'b', action: 'add' })
    await eventually(() => poll.settled)
    expect(await poll.value!.json()).toMatchObject({ version: 2 })
  })

  it('answers 200 with the unchanged stock after the default timeout', async () => {
    const { app, clock, whenHeld, roundTrip } = await testApp({ pollTimeoutSeconds: 25 })
    const poll = track(app.request('/status?since=0'))
    await whenHeld(1)
    clock.advance(24_999)
    await roundTrip()
    expect(poll.settled).toBe(false)
    clock.advance(1)
    await eventually(() => poll.settled)
    expect(poll.value!.status).toBe(200)
    expect(await poll.value!.json()).toEqual({
      inventoryCount: 10,
      totalInventory: 10,
      version: 0,
      epoch: anyEpoch,
      retryAfterMs: expect.any(Number),
    })
  })

  it('tells pollers answered by a timeout to come back at spread-out times, within a second', async () => {
    const { app, clock, whenHeld } = await testApp({ pollTimeoutSeconds: 25 })
    const polls = Array.from({ length: 20 }, () => track(app.request('/status?since=0')))
    await whenHeld(20)
    clock.advance(25_000)
    await eventually(() => polls.every((poll) => poll.settled))
    const waits = await Promise.all(
      polls.map(async (poll) => ((await poll.value!.json()) as { retryAfterMs: number }).retryAfterMs),
    )
    for (const wait of waits) expect(wait).toSatisfy((ms: number) => Number.isInteger(ms) && ms >= 0 && ms < 1000)
    expect(new Set(waits).size).toBeGreaterThan(10)
  })

  it('answers at once, with resync, a cursor of another epoch, however far ahead its version is', async () => {
    const { app, postCart } = await testApp()
    await postCart({ session: 'a', action: 'add' })
    const current = (await (await app.request('/inventory')).json()) as { epoch: string }
    const response = await app.request('/status?since=57&epoch=a-restarted-server')
    expect(await response.json()).toEqual({
      inventoryCount: 9,
      totalInventory: 10,
      version: 1,
      epoch: current.epoch,
      resync: true,
      retryAfterMs: 0,
    })
  })

  it('holds a cursor of the current epoch, and answers it without resync', async () => {
    const { app, postCart, whenHeld } = await testApp()
    const { epoch } = (await (await app.request('/inventory')).json()) as { epoch: string }
    const poll = track(app.request(`/status?since=0&epoch=${epoch}`))
    await whenHeld(1)
    expect(poll.settled).toBe(false)
    await postCart({ session: 'a', action: 'add' })
    await eventually(() => poll.settled)
    expect(await poll.value!.json()).not.toHaveProperty('resync')
  })

  it.each([
    ['an epoch without since', '/status?epoch=abc', 'epoch goes with since'],
    ['an epoch with a space', '/status?since=1&epoch=a%20b', 'epoch must be the epoch of a snapshot'],
    ['a 65-character epoch', `/status?since=1&epoch=${'e'.repeat(65)}`, 'epoch must be the epoch of a snapshot'],
  ])('refuses %s with 400 invalid_request', async (_, path, message) => {
    const { app, hub } = await testApp()
    const response = await app.request(path)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request', message: expect.stringContaining(message) })
    expect(hub.held).toBe(0)
  })

  it('takes a timeout in seconds from the query', async () => {
    const { app, clock, whenHeld } = await testApp()
    const poll = track(app.request('/status?since=0&timeout=2'))
    await whenHeld(1)
    clock.advance(2000)
    await eventually(() => poll.settled)
    expect(poll.value?.status).toBe(200)
  })

  it('drops the waiter at once when the client aborts', async () => {
    const { app, hub, clock, whenHeld } = await testApp()
    const client = new AbortController()
    const timersBefore = clock.pending
    app.request('/status?since=0', { signal: client.signal }).catch(() => {})
    await whenHeld(1)
    expect(hub.held).toBe(1)
    expect(clock.pending).toBe(timersBefore + 1)
    client.abort()
    // At once: as soon as the connection's close reaches the server.
    await whenHeld(0)
    expect(hub.held).toBe(0)
    expect(clock.pending).toBe(timersBefore)
  })

  it('answers 503 too_many_waiters with Retry-After past the cap', async () => {
    const { app, whenHeld } = await testApp({ maxWaiters: 1 })
    void app.request('/status?since=0')
    await whenHeld(1)
    const response = await app.request('/status?since=0')
    expect(response.status).toBe(503)
    expect(response.headers.get('Retry-After')).toMatch(/^\d+$/)
    expect(await response.json()).toEqual({ error: 'too_many_waiters', message: expect.any(String) })
  })

  it('counts event streams against the same cap, and refuses a stream past it too', async () => {
    const { app } = await testApp({ maxWaiters: 1 })
    const stream = await app.request('/events')
    for (const path of ['/status?since=0', '/events']) {
      const response = await app.request(path)
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ error: 'too_many_waiters' })
    }
    await stream.body?.cancel()
  })

  it.each([
    ['since=-1', 'since must be a non-negative whole number'],
    ['since=1.5', 'since must be a non-negative whole number'],
    ['since=abc', 'since must be a non-negative whole number'],
    ['since=', 'since must be a non-negative whole number'],
    ['since=99999999999999999999', 'since is larger than any version'],
    ['timeout=0', 'timeout must be a whole number of seconds from 1 to 120'],
    ['timeout=121', 'timeout must be a whole number of seconds from 1 to 120'],
    ['timeout=soon', 'timeout must be a whole number of seconds from 1 to 120'],
    ['since=1&since=2', 'since must be a single string'],
    ['since=1&epoch=a&epoch=b', 'epoch must be a single string'],
  ])('refuses %s with 400 invalid_request, holding nothing', async (query, message) => {
    const { app, hub } = await testApp()
    const response = await app.request(`/status?${query}`)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: 'invalid_request', message: expect.stringContaining(message) })
    expect(hub.held).toBe(0)
  })

  it('marks every answer no-store: immediate, held and refused', async () => {
    const { app, postCart } = await testApp()
    const held = app.request('/status?since=0')
    await postCart({ session: 'a', action: 'add' })
    const answers = [await held, await app.request('/status?since=0'), await app.request('/status?since=-1')]
    expect(answers.map((response) => response.status)).toEqual([200, 200, 400])
    for (const response of answers) expect(response.headers.get('Cache-Control')).toBe('no-store')
  })
})
