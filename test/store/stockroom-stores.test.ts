import { describe, expect, it } from 'vitest'
import { MemoryStore } from '../../src/store/memory.js'
import { IDEMPOTENCY_KEY_TTL_MS } from '../../src/store/store.js'
import { classicView } from '../helpers/classic-store.js'
import { ManualClock } from '../helpers/manual-clock.js'

describe('MemoryStore', () => {
  it('remembers an idempotency key for 10 minutes, then acts on it again', async () => {
    const clock = new ManualClock()
    const store = classicView(new MemoryStore({ holds: { clock, ttlMs: 0 } }))
    await store.apply('add', 'alice', 'key-1')
    await store.apply('remove', 'alice')
    clock.advance(IDEMPOTENCY_KEY_TTL_MS - 1)
    expect(await store.apply('add', 'alice', 'key-1')).toMatchObject({ replayed: true, inCart: true })
    expect(await store.viewOf('alice')).toMatchObject({ inCart: false })
    clock.advance(1)
    expect(await store.apply('add', 'alice', 'key-1')).not.toHaveProperty('replayed')
    expect(await store.viewOf('alice')).toMatchObject({ inCart: true })
    expect(IDEMPOTENCY_KEY_TTL_MS).toBe(600_000)
  })
})
