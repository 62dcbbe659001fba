import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'

/** The value of one sample line of a Prometheus text exposition, or undefined when it is not there. */
const sample = (text: string, name: string) => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

describe('GET /metrics', () => {
  it('counts cart actions by result, changes, fan-outs, held requests by transport and requests by route', async () => {
    const { app, postCart, whenHeld } = await testApp({ env: { TOTAL_INVENTORY: '1' } })
    const poll = app.request('/status?since=0')
    await whenHeld(1)
    let text = await (await app.request('/metrics')).text()
    expect(sample(text, 'stockpoll_held{transport="longPoll"}')).toBe(1)
    expect(sample(text, 'stockpoll_held{transport="sse"}')).toBe(0)

    await postCart({ session: 'a', action: 'add' })
    await postCart({ session: 'b', action: 'add' })
    await postCart({ session: 'b', action: 'fly' })
    await poll

    const response = await app.request('/metrics')
    expect(response.headers.get('Content-Type')).toMatch(/^text\/plain/)
    text = await response.text()
    expect(sample(text, 'stockpoll_cart_actions_total{result="ok"}')).toBe(1)
    expect(sample(text, 'stockpoll_cart_actions_total{result="sold_out"}')).toBe(1)
    expect(sample(text, 'stockpoll_cart_actions_total{result="invalid_request"}')).toBe(1)
    expect(sample(text, 'stockpoll_changes_total')).toBe(1)
    expect(sample(text, 'stockpoll_fan_out_duration_seconds_count')).toBe(1)
    expect(sample(text, 'stockpoll_held{transport="longPoll"}')).toBe(0)
    expect(sample(text, 'stockpoll_http_requests_total{route="/cart",status="200"}')).toBe(1)
    expect(sample(text, 'stockpoll_http_requests_total{route="/cart",status="409"}')).toBe(1)
    expect(sample(text, 'stockpoll_http_requests_total{route="/cart",status="400"}')).toBe(1)
  })
})
