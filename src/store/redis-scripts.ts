import { readFileSync } from 'node:fs'
import { effectOf, MOVEMENT_KINDS } from '../domain/movement.js'
import { MAX_ON_HAND } from '../domain/product.js'

/**
 * The Lua that runs inside Redis, in `src/store/lua/` (library.lua says what every script shares: the keys,
 * the arguments, the replies). Read from the source folder whether this runs from `src/` or from the `dist/`
 * the build makes, both of which sit two levels below the package.
 */
const LUA = new URL('../../src/store/lua/', import.meta.url)
const lua = (name: string) => readFileSync(new URL(`${name}.lua`, LUA), 'utf8')

/** What each kind of movement does to onHand and held, per unit: generated from `effectOf`, the one source. */
const EFFECTS = MOVEMENT_KINDS.map((kind) => {
  const { onHand, held } = effectOf({ kind, quantity: 1 })
  return `${kind} = { ${onHand}, ${held} }`
}).join(', ')

/** The constants the scripts are written with, from the code's own. */
const withConstants = (source: string) =>
  source.replaceAll('__EFFECTS__', EFFECTS).replaceAll('__MAX_ON_HAND__', String(MAX_ON_HAND))

/**
 * Each script opens with its flags (Redis 7). One that may write is refused whole while Redis is out of
 * memory: without flags Redis refuses only a script's first command that grows memory, so one whose first
 * write frees some (an HDEL) would run on past the limit. One that only reads says so, and runs then too.
 */
const writing = (...parts: string[]) => withConstants(['#!lua', ...parts.map(lua)].join('\n'))
const reading = (...parts: string[]) => withConstants(['#!lua flags=no-writes', ...parts.map(lua)].join('\n'))

/** Every script, by the name the store calls it by: each given the same keys (see library.lua), then its ARGV. */
export const SCRIPTS = {
  stockSeed: writing('library', 'seed'),
  stockAdopt: writing('library', 'catalog', 'adopt'),
  stockRead: reading('library', 'catalog', 'read'),
  stockCart: reading('library', 'catalog', 'cart'),
  stockHolds: reading('library', 'catalog', 'holds'),
  stockOrders: reading('library', 'orders'),
  stockApply: writing('library', 'catalog', 'change', 'apply'),
  stockExpire: writing('library', 'catalog', 'change', 'expire'),
  stockCheckout: writing('library', 'catalog', 'change', 'checkout'),
  stockPut: writing('library', 'catalog', 'change', 'put-product'),
  stockAdjust: writing('library', 'catalog', 'change', 'adjust'),
  stockSell: writing('library', 'catalog', 'change', 'sell'),
  stockArchive: writing('library', 'catalog', 'change', 'archive'),
  stockRelease: writing('library', 'catalog', 'change', 'release'),
  stockCancel: writing('library', 'catalog', 'change', 'cancel'),
}

export type ScriptName = keyof typeof SCRIPTS
