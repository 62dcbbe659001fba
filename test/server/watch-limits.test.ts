import { describe, expect, it } from 'vitest'
import { MAX_TOKEN_LENGTH } from '../../src/domain/tokens.js'
import { MAX_WATCHED_SKUS } from '../../src/edge/input.js'
import { catalogFile } from '../helpers/catalogs.js'
import { openEventStream } from '../helpers/event-stream.js'
import { postCart, useServers } from '../helpers/running-server.js'
import { connect } from '../helpers/websocket-client.js'

/** SKUs as long as any may be. */
const longest = (count: number) => Array.from({ length: count }, (_, i) => String(i).padStart(MAX_TOKEN_LENGTH, 'x'))
const CATALOG = longest(MAX_WATCHED_SKUS + 1).map((sku) => ({ sku, name: sku, onHand: 5 }))
const WATCHED = longest(MAX_WATCHED_SKUS)
const ONE_TOO_MANY = longest(MAX_WATCHED_SKUS + 1)
/** The list as a browser writes it into a URL, with encodeURIComponent: each comma as %2C. */
const query = (skus: readonly string[]) => `skus=${encodeURIComponent(skus.join(','))}`
const limitMessage = `at most ${MAX_WATCHED_SKUS} SKUs`

describe(`watching ${MAX_WATCHED_SKUS} of the longest SKUs, on every transport`, () => {
  const start = useServers()
  const shop = () => start({ CATALOG_FILE: catalogFile(CATALOG) })

  it('holds a long poll of them, and refuses one more with the limit, not a header limit', async () => {
    const server = await shop()
    const poll = fetch(`${server.url}/status?${query(WATCHED)}&since=0`)
    expect((await postCart(server.url, 'a', 'add', {}, { sku: WATCHED.at(-1)! })).status).toBe(200)
    const answer = await poll
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ products: [{ sku: WATCHED.at(-1), held: 1 }] })

    const refused = await fetch(`${server.url}/status?${query(ONE_TOO_MANY)}`)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ message: expect.stringContaining(limitMessage) })
  })

  it('streams them as events, and refuses one more with the limit', async () => {
    const server = await shop()
    const stream = await openEventStream(`${server.url}/events?${query(WATCHED)}`)
    const first = await stream.nextEvent()
    expect(JSON.parse(first.data).products).toHaveLength(MAX_WATCHED_SKUS)
    stream.close()
    const refused = await fetch(`${server.url}/events?${query(ONE_TOO_MANY)}`)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ message: expect.stringContaining(limitMessage) })
  })

  it('sends them over a WebSocket named in its URL or in a subscribe frame, and refuses one more with an error frame', async () => {
    const server = await shop()
    const named = await connect(server.url, `?${query(WATCHED)}`)
    expect((await named.next()).products).toHaveLength(MAX_WATCHED_SKUS)
    named.socket.close()

    const subscriber = await connect(server.url)
    await subscriber.next()
    subscriber.send({ type: 'subscribe', skus: WATCHED })
    expect(await subscriber.next()).toMatchObject({ type: 'products' })
    subscriber.send({ type: 'subscribe', skus: ONE_TOO_MANY })
    expect(await subscriber.next()).toMatchObject({
      type: 'error',
      error: 'invalid_request',
      message: expect.stringContaining(`1 to ${MAX_WATCHED_SKUS} SKUs`),
    })
    // Still open: a frame that is refused is answered, never a reason to cut the socket.
    subscriber.send({ type: 'unsubscribe', skus: WATCHED.slice(0, 1) })
    expect(subscriber.socket.readyState).toBe(subscriber.socket.OPEN)
    subscriber.socket.close()
  })
})
