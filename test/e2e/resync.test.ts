import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBrowserTests, useBrowserContext } from '../helpers/chromium.js'
import { clickIn, openTabs, showsText, textOf } from '../helpers/page.js'
import { adminConnection, deleteKeys, REDIS_URL, runRedisTests, useKeyPrefixes } from '../helpers/redis.js'
import { useServers } from '../helpers/running-server.js'

describe.skipIf(!runBrowserTests || !runRedisTests)(
  'the page when the stock begins again under it',
  { timeout: 30_000 },
  () => {
    const start = useServers()
    const context = useBrowserContext()
    const newPrefix = useKeyPrefixes()
    let admin: Redis

    beforeAll(() => {
      admin = adminConnection()
    })
    afterAll(() => admin.disconnect())

    it.each(['sse', 'ws', 'longpoll'])(
      'redraws from scratch over %s when the Redis keys are lost, without reconnecting',
      async (transport) => {
        const prefix = newPrefix()
        const server = await start({ STORE: 'redis', REDIS_URL, STORE_KEY_PREFIX: prefix })
        const [shopper] = await openTabs(context(), `${server.url}/?transport=${transport}`, 1)
        await clickIn(shopper!, '#add')
        await showsText(shopper!, '#cart-state', 'One unit is in your cart.')
        await showsText(shopper!, '#count', '9')

        // The keys go, and the next read creates the stock again at version 0, in a new epoch, which every
        // process is told of. Version 0 is older than the 1 the page shows: only the epoch says it is news.
        await deleteKeys(admin, prefix)
        await fetch(`${server.url}/inventory`)
        await showsText(shopper!, '#count', '10', 2000)
        await showsText(shopper!, '#cart-state', 'Your cart is empty.', 2000)
        expect(await textOf(shopper!, '#link')).toBe('live')
      },
    )
  },
)
