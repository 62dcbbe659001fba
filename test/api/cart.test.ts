import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/test-app.js'
import { nextTurn } from '../helpers/turns.js'
import { anyEpoch } from '../helpers/stock.js'

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

describe('POST /cart', () => {
  it('adds a unit from form fields, as curl -d sends them', async () => {
    const { postCart } = await testApp()
    const response = await postCart({ session: 'abc', action: 'add' })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(await response.json()).toEqual({
      inventoryCount: 9,
      totalInventory: 10,
      version: 1,
      epoch: anyEpoch,
      inCart: true,
      holdExpiresInSeconds: null,
    })
  })

  it('takes the same fields as JSON', async () => {
    const { app } = await testApp()
    const response = await app.request('/cart', json({ session: 'abc', action: 'add' }))
    expect(await response.json()).toEqual({
      inventoryCount: 9,
      totalInventory: 10,
      version: 1,
      epoch: anyEpoch,
      inCart: true,
      holdExpiresInSeconds: null,
    })
  })

  it('takes them as multipart form data, as an HTML form may send them', async () => {
    const { app } = await testApp()
    const form = new FormData()
    form.set('session', 'abc')
    form.set('action', 'add')
    const response = await app.request('/cart', { method: 'POST', body: form })
    expect(await response.json()).toMatchObject({ inventoryCount: 9, inCart: true })
  })

  it('removes a unit', async () => {
    const { postCart } = await testApp()
    await postCart({ session: 'abc', action: 'add' })
    const response = await postCart({ session: 'abc', action: 'remove' })
    expect(await response.json()).toEqual({
      inventoryCount: 10,
      totalInventory: 10,
      version: 2,
      epoch: anyEpoch,
      inCart: false,
      holdExpiresInSeconds: null,
    })
  })

  it('is idempotent: a repeated add keeps the version', async () => {
    const { postCart } = await testApp()
    await postCart({ session: 'abc', action: 'add' })
    const response = await postCart({ session: 'abc', action: 'add' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      inventoryCount: 9,
      totalInventory: 10,
      version: 1,
      epoch: anyEpoch,
      inCart: true,
      holdExpiresInSeconds: null,
    })
  })

  it('answers 409 sold_out when nothing is left, and changes nothing', async () => {
    const { postCart, inventory } = await testApp({ env: { TOTAL_INVENTORY: '1' } })
    await postCart({ session: 'first', action: 'add' })
    const response = await postCart({ session: 'second', action: 'add' })
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ error: 'sold_out', message: expect.stringContaining('every unit') })
    expect(await inventory()).toEqual({ inventoryCount: 0, totalInventory: 1, version: 1, epoch: anyEpoch })
  })

  const form = (body: string): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  })

  it.each([
    ['no session', form('action=add'), 'session is required'],
    ['an empty session', form('session=&action=add'), 'session must be 1 to 64 characters'],
    ['a 65-character session', form(`session=${'a'.repeat(65)}&action=add`), 'session must be 1 to 64 characters'],
    ['a session with a space', form('session=a%20b&action=add'), 'session must be 1 to 64 characters'],
    ['a session of unicode letters', form('session=%C3%A9t%C3%A9&action=add'), 'session must be 1 to 64 characters'],
    ['a repeated session field', form('session=a&session=b&action=add'), 'session must be a single string'],
    ['no action', form('session=abc'), 'action is required'],
    ['an unknown action', form('session=abc&action=buy'), "action must be 'add', 'remove' or 'set'"],
    ['an action in the wrong case', form('session=abc&action=ADD'), "action must be 'add', 'remove' or 'set'"],
    ['set without a quantity', form('session=abc&action=set'), 'set needs a quantity'],
    [
      'JSON sent as a form, as curl -d sends it',
      form('{"session":"abc","action":"add"}'),
      'the body is JSON, but its Content-Type says a form: send it as application/json',
    ],
    [
      'a quantity in JSON that is text',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"session":"abc","action":"set","quantity":"2"}',
      },
      'quantity must be a whole number from 0 to 1000000',
    ],
    ['malformed JSON', { ...json({}), body: '{"session": "abc",' }, 'the body is not valid JSON'],
    [
      'a JSON key given twice',
      { ...json({}), body: '{"session": "abc", "action": "remove", "action": "add"}' },
      'the body names "action" more than once',
    ],
    ['a JSON array', json(['abc', 'add']), 'the body must be an object'],
    ['a JSON null', json(null), 'the body must be an object'],
    ['a JSON number for session', json({ session: 42, action: 'add' }), 'session must be a single string'],
    [
      'a text/plain body',
      { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'session=abc&action=add' },
      'application/x-www-form-urlencoded or application/json',
    ],
    ['no body at all', { method: 'POST' }, 'application/x-www-form-urlencoded or application/json'],
  ])('refuses %s with 400 invalid_request, changing nothing', async (_case, init, message) => {
    const { app, inventory } = await testApp()
    const response = await app.request('/cart', init)
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body).toEqual({ error: 'invalid_request', message: expect.stringContaining(message) })
    expect(await inventory()).toEqual({ inventoryCount: 10, totalInventory: 10, version: 0, epoch: anyEpoch })
  })

  it('treats a field named __proto__ as just another field', async () => {
    const { app } = await testApp()
    const response = await app.request('/cart', form('__proto__=x&session=abc&action=add'))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ inCart: true })
  })

  it('names every bad field at once', async () => {
    const { postCart } = await testApp()
    const response = await postCart({ action: 'buy' })
    expect((await response.json()).message).toBe("session is required; action must be 'add', 'remove' or 'set'")
  })

  it('accepts a 64-character session of every allowed kind of character', async () => {
    const { postCart } = await testApp()
    const session = `${'aZ09_-'.repeat(10)}abcd`
    expect(session).toHaveLength(64)
    expect((await postCart({ session, action: 'add' })).status).toBe(200)
  })
})

describe('POST /cart with an Idempotency-Key', () => {
  const withKey = (key: string, body: unknown): RequestInit => {
    const init = json(body)
    return { ...init, headers: { ...init.headers, 'Idempotency-Key': key } }
  }

  it('answers a retry with the first answer, marked replayed, without acting again', async () => {
    const { app, inventory } = await testApp()
    const first = await app.request('/cart', withKey('4b7d-retry', { session: 'abc', action: 'add' }))
    expect(first.headers.get('Idempotent-Replayed')).toBeNull()
    const firstBody: unknown = await first.json()
    await app.request('/cart', json({ session: 'abc', action: 'remove' }))

    const retry = await app.request('/cart', withKey('4b7d-retry', { action: 'add', session: 'abc' }))
    expect(retry.status).toBe(200)
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await retry.json()).toEqual(firstBody)
    expect(await inventory()).toMatchObject({ inventoryCount: 10, version: 2 })
  })

  it('answers a retry of a sold-out add with the same 409, though a unit came back', async () => {
    const { app, postCart } = await testApp({ env: { TOTAL_INVENTORY: '1' } })
    await postCart({ session: 'a', action: 'add' })
    expect((await app.request('/cart', withKey('k', { session: 'b', action: 'add' }))).status).toBe(409)
    await postCart({ session: 'a', action: 'remove' })
    const retry = await app.request('/cart', withKey('k', { session: 'b', action: 'add' }))
    expect(retry.status).toBe(409)
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
  })

  it('refuses the same key with another body with 422 idempotency_key_reused, changing nothing', async () => {
    const { app, inventory } = await testApp()
    await app.request('/cart', withKey('k', { session: 'abc', action: 'add' }))
    for (const body of [
      { session: 'abc', action: 'remove' },
      { session: 'other', action: 'add' },
    ]) {
      const response = await app.request('/cart', withKey('k', body))
      expect(response.status).toBe(422)
      expect(await response.json()).toEqual({
        error: 'idempotency_key_reused',
        message: expect.stringContaining('another request'),
      })
    }
    expect(await inventory()).toMatchObject({ inventoryCount: 9, version: 1 })
  })

  it.each([
    ['an empty key', ''],
    ['a key with a space', 'a b'],
    ['a 256-character key', 'k'.repeat(256)],
  ])('refuses %s with 400 invalid_request, changing nothing', async (_, key) => {
    const { app, inventory } = await testApp()
    const response = await app.request('/cart', withKey(key, { session: 'abc', action: 'add' }))
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      error: 'invalid_request',
      message: expect.stringContaining('Idempotency-Key'),
    })
    expect(await inventory()).toMatchObject({ version: 0 })
  })
})

describe('GET /cart', () => {
  it('tells a session whether it holds a unit, with the stock', async () => {
    const { app, postCart } = await testApp()
    await postCart({ session: 'abc', action: 'add' })
    expect(await (await app.request('/cart?session=abc')).json()).toEqual({
      inventoryCount: 9,
      totalInventory: 10,
      version: 1,
      epoch: anyEpoch,
      inCart: true,
      holdExpiresInSeconds: null,
      lines: [
        {
          sku: 'default',
          quantity: 1,
          holdExpiresInSeconds: null,
          lapsed: false,
          product: {
            sku: 'default',
            name: 'The Limited Edition',
            onHand: 10,
            held: 1,
            available: 9,
            level: 'in_stock',
            version: 1,
          },
        },
      ],
    })
    expect(await (await app.request('/cart?session=other')).json()).toMatchObject({ inCart: false })
  })

  it('says in how many seconds a hold lapses, renews it on an add, and returns the unit to stock as a change once it lapses', async () => {
    const { app, postCart, clock } = await testApp({ cartTtlSeconds: 60 })
    const cartOf = async (session: string) => (await app.request(`/cart?session=${session}`)).json()
    expect(await (await postCart({ session: 'abc', action: 'add' })).json()).toMatchObject({ holdExpiresInSeconds: 60 })
    clock.advance(20_000)
    expect(await cartOf('abc')).toMatchObject({ inCart: true, holdExpiresInSeconds: 40 })
    await postCart({ session: 'abc', action: 'add' })
    // The renewal moved when the product's next hold lapses, a change shoppers do not see: it wakes nobody.
    expect(await cartOf('abc')).toMatchObject({ inCart: true, holdExpiresInSeconds: 60, version: 2 })

    const poll = app.request('/status?since=1&timeout=120')
    clock.advance(59_000)
    await nextTurn()
    expect(await cartOf('abc')).toMatchObject({ inCart: true, holdExpiresInSeconds: 1 })
    // Each sweep is scheduled once the last one is done; the one after the hold's end returns the unit.
    for (let i = 0; i < 3; i++) {
      clock.advance(1000)
      await nextTurn()
    }
    expect(await (await poll).json()).toMatchObject({ inventoryCount: 10, totalInventory: 10, version: 3 })
    // The line stays, lapsed, for a checkout to sell if the unit is still there; the classic fields say it is gone.
    expect(await cartOf('abc')).toMatchObject({
      inCart: false,
      holdExpiresInSeconds: null,
      lines: [{ sku: 'default', quantity: 1, holdExpiresInSeconds: null, lapsed: true }],
    })
  })

  it('refuses a missing, malformed or repeated session with 400', async () => {
    const { app } = await testApp()
    for (const path of ['/cart', '/cart?session=', '/cart?session=no%20spaces', '/cart?session=abc&session=xyz']) {
      const response = await app.request(path)
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({
        error: 'invalid_request',
        message: expect.stringMatching(/^session/),
      })
    }
  })
})
