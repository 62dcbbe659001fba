/**
 * The Lua that runs inside Redis. Redis runs each script alone, so each is one atomic step: no other
 * process's action can fall between its check and its change.
 *
 * KEYS: 1 total inventory, 2 version, 3 the set of sessions holding a unit.
 * ARGV: 1 the total to start with when the stock does not exist yet, then per script below.
 */

/** Reads the stock, creating it with the given total the first time any process touches it. */
const READ_STOCK = `
local total = tonumber(redis.call('GET', KEYS[1]))
if not total then
  total = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], total)
end
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local held = redis.call('SCARD', KEYS[3])
`

/**
 * ARGV: 2 a session, or '' for none.
 * Returns { inventoryCount, totalInventory, version, 1 if the session holds a unit else 0 }.
 */
export const VIEW_SCRIPT = `${READ_STOCK}
local holds = ARGV[2] ~= '' and redis.call('SISMEMBER', KEYS[3], ARGV[2]) or 0
return { total - held, total, version, holds }
`

/**
 * ARGV: 2 'add' or 'remove', 3 the session, 4 the change channel.
 * Applies the rules of ShoppingCart; an effective change bumps the version and publishes the new stock
 * as JSON, in the same step.
 * Returns { 1 done or 0 sold out, inventoryCount, totalInventory, version, 1 if the session holds a unit }.
 */
export const APPLY_SCRIPT = `${READ_STOCK}
local session = ARGV[3]
local holds = redis.call('SISMEMBER', KEYS[3], session) == 1
local changed = false
if ARGV[2] == 'add' and not holds then
  if held >= total then
    return { 0, total - held, total, version, 0 }
  end
  redis.call('SADD', KEYS[3], session)
  held, holds, changed = held + 1, true, true
elseif ARGV[2] == 'remove' and holds then
  redis.call('SREM', KEYS[3], session)
  held, holds, changed = held - 1, false, true
end
if changed then
  version = redis.call('INCR', KEYS[2])
  redis.call('PUBLISH', ARGV[4],
    '{"inventoryCount":' .. (total - held) .. ',"totalInventory":' .. total .. ',"version":' .. version .. '}')
end
return { 1, total - held, total, version, holds and 1 or 0 }
`
