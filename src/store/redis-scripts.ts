/**
 * The Lua that runs inside Redis. Redis runs each script alone, so each is one atomic step: no other
 * process's action can fall between its check and its change.
 *
 * KEYS: 1 total inventory, 2 version, 3 the sorted set of sessions holding a unit, each scored by the
 * instant (ms since the Unix epoch) its hold ends, `+inf` when holds never expire, 4 the stock's epoch.
 * ARGV: 1 the total to start with when the stock does not exist yet, 2 a fresh random epoch, taken when the
 * stock is created (or its epoch was lost), 3 the change channel, then per script below.
 * A hold's end is answered as a number of ms, 0 for none.
 */

/**
 * Reads the stock, creating it with the given total the first time any process touches it. Whenever the
 * stock is created, even again after its keys were lost, it takes a new epoch, so that no client mistakes
 * the restarted versions for the ones it saw. Losing any one of the total, the version or the epoch is
 * losing the stock: counting versions again from 0 in the same epoch would send them backwards.
 */
const READ_STOCK = `
local total = tonumber(redis.call('GET', KEYS[1]))
local epoch = redis.call('GET', KEYS[4])
local version = tonumber(redis.call('GET', KEYS[2]))
local held = redis.call('ZCARD', KEYS[3])
local function publish()
  redis.call('PUBLISH', ARGV[3], '{"inventoryCount":' .. (total - held) .. ',"totalInventory":' .. total ..
    ',"version":' .. version .. ',"epoch":"' .. epoch .. '"}')
end
if not total or not epoch or not version then
  total = total or tonumber(ARGV[1])
  epoch = ARGV[2]
  version = 0
  redis.call('SET', KEYS[1], total)
  redis.call('SET', KEYS[4], epoch)
  redis.call('SET', KEYS[2], version)
  publish()
end
local function ends(score)
  if not score or score == 'inf' then return 0 end
  return tonumber(score)
end
`

/** Bumps the version and publishes the new stock as JSON on the change channel. */
const PUBLISH_CHANGE = `
version = redis.call('INCR', KEYS[2])
publish()
`

/**
 * ARGV: 4 a session, or '' for none.
 * Returns { inventoryCount, totalInventory, version, epoch, 1 if the session holds a unit else 0, its hold's
 * end }.
 */
export const VIEW_SCRIPT = `${READ_STOCK}
local score = ARGV[4] ~= '' and redis.call('ZSCORE', KEYS[3], ARGV[4])
return { total - held, total, version, epoch, score and 1 or 0, ends(score) }
`

/**
 * ARGV: 4 'add' or 'remove', 5 the session, 6 the end of the hold an add makes or renews (ms, or '+inf'),
 * 7 the key that remembers an idempotent action's result, or '' for none, 8 the command that key is
 * compared by, 9 how long the key is kept (ms).
 * Applies the rules of ShoppingCart; an effective change bumps the version and publishes the new stock,
 * in the same step. Under a key already used, it acts not at all: the same command is given the reply
 * first recorded, another gets -1.
 * Returns { 1 done, 0 sold out or -1 key used for another command, inventoryCount, totalInventory, version,
 * epoch, 1 if the session holds a unit, its hold's end, 1 if this is the reply first recorded }.
 */
export const APPLY_SCRIPT = `${READ_STOCK}
local once = ARGV[7]
if once ~= '' then
  local first = redis.call('GET', once)
  if first then
    first = cjson.decode(first)
    if first.command ~= ARGV[8] then return { -1, 0, 0, 0, '', 0, 0, 0 } end
    first.reply[8] = 1
    return first.reply
  end
end
local function act()
  local session = ARGV[5]
  local score = redis.call('ZSCORE', KEYS[3], session)
  local changed = false
  if ARGV[4] == 'add' then
    if not score and held >= total then
      return { 0, total - held, total, version, epoch, 0, 0 }
    end
    if not score then
      held, changed = held + 1, true
    end
    redis.call('ZADD', KEYS[3], ARGV[6], session)
    score = redis.call('ZSCORE', KEYS[3], session)
  elseif score then
    redis.call('ZREM', KEYS[3], session)
    held, score, changed = held - 1, false, true
  end
  if changed then
    ${PUBLISH_CHANGE}
  end
  return { 1, total - held, total, version, epoch, score and 1 or 0, ends(score) }
end
local reply = act()
if once ~= '' then
  redis.call('SET', once, cjson.encode({ command = ARGV[8], reply = reply }), 'PX', ARGV[9])
end
reply[8] = 0
return reply
`

/**
 * ARGV: 4 now (ms).
 * Returns to stock every hold that ends at or before now, as one change; run by every process, it returns
 * each hold once, since the first run removes what the others would.
 * Returns how many holds ended.
 */
export const EXPIRE_SCRIPT = `${READ_STOCK}
local ended = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[4])
if ended > 0 then
  held = held - ended
  ${PUBLISH_CHANGE}
end
return ended
`
