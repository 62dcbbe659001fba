/**
 * The Lua that runs inside Redis. Redis runs each script alone, so each is one atomic step: no other
 * process's action can fall between its check and its change.
 *
 * KEYS: 1 total inventory, 2 version, 3 the sorted set of sessions holding a unit, each scored by the
 * instant (ms since the epoch) its hold ends, `+inf` when holds never expire.
 * ARGV: 1 the total to start with when the stock does not exist yet, then per script below.
 * A hold's end is answered as a number of ms, 0 for none.
 */

/** Reads the stock, creating it with the given total the first time any process touches it. */
const READ_STOCK = `
local total = tonumber(redis.call('GET', KEYS[1]))
if not total then
  total = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], total)
end
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local held = redis.call('ZCARD', KEYS[3])
local function ends(score)
  if not score or score == 'inf' then return 0 end
  return tonumber(score)
end
`

/** Bumps the version and publishes the new stock as JSON on the channel named by `channel`. */
const PUBLISH_CHANGE = (channel: string) => `
version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ${channel},
  '{"inventoryCount":' .. (total - held) .. ',"totalInventory":' .. total .. ',"version":' .. version .. '}')
`

/**
 * ARGV: 2 a session, or '' for none.
 * Returns { inventoryCount, totalInventory, version, 1 if the session holds a unit else 0, its hold's end }.
 */
export const VIEW_SCRIPT = `${READ_STOCK}
local score = ARGV[2] ~= '' and redis.call('ZSCORE', KEYS[3], ARGV[2])
return { total - held, total, version, score and 1 or 0, ends(score) }
`

/**
 * ARGV: 2 'add' or 'remove', 3 the session, 4 the change channel, 5 the end of the hold an add makes or
 * renews (ms, or '+inf').
 * Applies the rules of ShoppingCart; an effective change bumps the version and publishes the new stock,
 * in the same step.
 * Returns { 1 done or 0 sold out, inventoryCount, totalInventory, version, 1 if the session holds a unit,
 * its hold's end }.
 */
export const APPLY_SCRIPT = `${READ_STOCK}
local session = ARGV[3]
local score = redis.call('ZSCORE', KEYS[3], session)
local changed = false
if ARGV[2] == 'add' then
  if not score and held >= total then
    return { 0, total - held, total, version, 0, 0 }
  end
  if not score then
    held, changed = held + 1, true
  end
  redis.call('ZADD', KEYS[3], ARGV[5], session)
  score = redis.call('ZSCORE', KEYS[3], session)
elseif score then
  redis.call('ZREM', KEYS[3], session)
  held, score, changed = held - 1, false, true
end
if changed then
  ${PUBLISH_CHANGE('ARGV[4]')}
end
return { 1, total - held, total, version, score and 1 or 0, ends(score) }
`

/**
 * ARGV: 2 now (ms), 3 the change channel.
 * Returns to stock every hold that ends at or before now, as one change; run by every process, it returns
 * each hold once, since the first run removes what the others would.
 * Returns how many holds ended.
 */
export const EXPIRE_SCRIPT = `${READ_STOCK}
local ended = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
if ended > 0 then
  held = held - ended
  ${PUBLISH_CHANGE('ARGV[3]')}
end
return ended
`
