import { describe, expect, it } from 'vitest'
import { openMemoryStore } from '../../src/store/memory.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import { IDEMPOTENCY_KEY_TTL_MS, type StoreOptions } from '../../src/store/store.js'
import { testStoreOf, type TestStore } from '../helpers/stores.js'
import { classicView } from '../helpers/classic-store.js'
import { useDatabaseFiles } from '../helpers/database-files.js'
import { ManualClock } from '../helpers/manual-clock.js'

const newFile = useDatabaseFiles()

/** The stores of one process, which keep their idempotency keys themselves, on the clock they are given. */
const kinds: readonly { name: string; open: (options: StoreOptions) => Promise<TestStore> }[] = [
  { name: 'memory', open: async (options) => testStoreOf(openMemoryStore(options)) },
  { name: 'sqlite', open: async (options) => testStoreOf(await openSqliteStore({ ...options, file: newFile() })) },
]

describe.each(kinds)('$name store', ({ open }) => {
  it('remembers an idempotency key for 10 minutes, then acts on it again', async () => {
    const clock = new ManualClock()
    const store = classicView(await open({ holds: { clock, ttlMs: 0 } }))
    await store.apply('add', 'alice', 'key-1')
    await store.apply('remove', 'alice')
    clock.advance(IDEMPOTENCY_KEY_TTL_MS - 1)
    expect(await store.apply('add', 'alice', 'key-1')).toMatchObject({ replayed: true, inCart: true })
    expect(await store.viewOf('alice')).toMatchObject({ inCart: false })
    clock.advance(1)
    expect(await store.apply('add', 'alice', 'key-1')).not.toHaveProperty('replayed')
    expect(await store.viewOf('alice')).toMatchObject({ inCart: true })
    expect(IDEMPOTENCY_KEY_TTL_MS).toBe(600_000)
    await store.store.close()
  })
})
