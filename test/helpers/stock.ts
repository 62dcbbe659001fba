import { expect } from 'vitest'

/** Stands for a snapshot's epoch where a test does not know it: each store draws its own at random. */
export const anyEpoch: unknown = expect.any(String)
