import { describe, expect, it } from 'vitest'
import { Remembered } from '../../src/edge/remembered.js'

describe('Remembered', () => {
  it('computes each key once while it is remembered', () => {
    const asked: string[] = []
    const lengths = new Remembered(8, (key: string) => (asked.push(key), key.length))
    expect([lengths.of('abc'), lengths.of('de'), lengths.of('abc')]).toEqual([3, 2, 3])
    expect(asked).toEqual(['abc', 'de'])
  })

  it('forgets everything once it holds its limit, and keeps the key that came next', () => {
    const asked: number[] = []
    const doubled = new Remembered(2, (key: number) => (asked.push(key), key * 2))
    for (const key of [1, 2, 3, 3, 1]) doubled.of(key)
    expect(asked).toEqual([1, 2, 3, 1])
  })

  it('keeps nothing for a key whose computing throws', () => {
    let calls = 0
    const checked = new Remembered(8, (key: string) => {
      calls++
      if (key === 'bad') throw new Error('bad key')
      return key
    })
    expect(() => checked.of('bad')).toThrow('bad key')
    expect(() => checked.of('bad')).toThrow('bad key')
    expect(calls).toBe(2)
  })
})
