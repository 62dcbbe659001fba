import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { MANY_SHOPPERS_ONE_ADDRESS, postCart, useServers } from '../helpers/running-server.js'
import { eventually } from '../helpers/eventually.js'
import { anyEpoch } from '../helpers/stock.js'

describe('a real server on a free port', () => {
  const start = useServers()

  it('answers 500 concurrent waiters with the same new version after one change', async () => {
    const server = await start(MANY_SHOPPERS_ONE_ADDRESS)
    const { url } = server
    const polls = Array.from({ length: 500 }, () => fetch(`${url}/status?since=0`).then((response) => response.json()))
    await eventually(() => server.held === 500)

    const change = await postCart(url, 'writer', 'add')
    expect(change.status).toBe(200)

    const answers = await Promise.all(polls)
    expect(answers).toHaveLength(500)
    for (const answer of answers)
      expect(answer).toEqual({ inventoryCount: 9, totalInventory: 10, version: 1, epoch: anyEpoch, retryAfterMs: 0 })
    expect(server.held).toBe(0)
  })

  it('sells exactly 10 units to 200 concurrent adds', async () => {
    const { url } = await start(MANY_SHOPPERS_ONE_ADDRESS)
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => postCart(url, `shopper-${i}`, 'add')))
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(10)
    expect(statuses.filter((status) => status === 409)).toHaveLength(190)
    const stock = await (await fetch(`${url}/inventory`)).json()
    expect(stock).toEqual({ inventoryCount: 0, totalInventory: 10, version: 10, epoch: anyEpoch })
  })

  it('drops a waiter as soon as its client hangs up', async () => {
    const server = await start()
    const poll = request(`${server.url}/status?since=0`)
    poll.on('error', () => {})
    poll.end()
    await eventually(() => server.held === 1)
    poll.destroy()
    await eventually(() => server.held === 0, 1000)
  })

  it('on close answers every held request with the current stock', async () => {
    const server = await start()
    await postCart(server.url, 'a', 'add')
    const polls = Array.from({ length: 20 }, () => fetch(`${server.url}/status?since=1`))
    await eventually(() => server.held === 20)
    const closing = server.close()
    const answers = await Promise.all(polls)
    expect(answers.map((response) => response.status)).toEqual(Array(20).fill(200))
    for (const answer of answers) expect(await answer.json()).toMatchObject({ version: 1, inventoryCount: 9 })
    await closing
  })

  it('closes the connection with every answer while closing, so kept-alive clients do not re-poll in a loop', async () => {
    const server = await start()
    const held = fetch(`${server.url}/status?since=0`)
    await eventually(() => server.held === 1)
    const closing = server.close()
    const answer = await held
    expect(answer.headers.get('Connection')).toBe('close')
    await answer.text()
    const started = Date.now()
    await closing
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
