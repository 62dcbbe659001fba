-- A change: every product it touches gets the catalog's next version, taken once, and every move of onHand
-- or held is recorded with the counters after it; `finish` publishes the products changed, and keeps the reply
-- for the idempotency key. ARGV 4 the idempotency key as the client gave it ('' for none; the ledger records
-- it), 5 whose keys it is among (a shopper's, the admin's), 6 the command it is compared by, 7 how long it is
-- kept (ms).
--
-- Under a key already used, the script does nothing: the same command is answered `replayed` and the first
-- reply, another `reused`. Otherwise a change answers `ok` and its reply, as JSON.
local key, command = ARGV[4], ARGV[6]
local once = key ~= '' and prefix .. 'once:' .. ARGV[5] .. ':' .. key
if once then
  local first = redis.call('GET', once)
  if first then
    first = cjson.decode(first)
    if first.command ~= command then return { 'reused' } end
    return { 'replayed', first.reply }
  end
end
local EFFECTS = { __EFFECTS__ }
-- The products changed, by SKU as last written, in the order first changed.
local changed, order = {}, {}
local bumped = false
local function touch(p)
  if not bumped then
    version, bumped = redis.call('INCR', KEYS[2]), true
  end
  p.version = version
  redis.call('HSET', productKey(p.sku), 'name', p.name, 'onHand', p.onHand, 'held', p.held, 'version', version)
  if p.nextLapse then
    redis.call('HSET', productKey(p.sku), 'nextLapse', p.nextLapse)
  else
    redis.call('HDEL', productKey(p.sku), 'nextLapse')
  end
  if p.archived then
    redis.call('HSET', productKey(p.sku), 'archived', 1)
  else
    redis.call('HDEL', productKey(p.sku), 'archived')
  end
  if p.holdsTakenAt then redis.call('HSET', productKey(p.sku), 'holdsTakenAt', p.holdsTakenAt) end
  if not changed[p.sku] then order[#order + 1] = p.sku end
  changed[p.sku] = p
  return p
end
-- Who a movement is by: `actor`, under this change's idempotency key, with `more` (an order, a reason).
local function by(actor, more)
  local who = more or {}
  who.actor, who.key = actor, key ~= '' and key or nil
  return who
end
local function move(p, kind, quantity, who)
  local effect = EFFECTS[kind]
  p.onHand, p.held = p.onHand + effect[1] * quantity, p.held + effect[2] * quantity
  touch(p)
  record(p, kind, quantity, who)
  return p
end
-- Ends the change as Stockroom's Step does: a product whose lines it changed gets its next lapse anew, a change
-- like any other when it moved. Run once, before the reply is built from the products.
local settled = false
local function settle()
  if settled then return end
  settled = true
  for _, sku in ipairs(linesChanged) do
    local p = changed[sku] or product(sku)
    local lapse = nextLapse(sku)
    if p and p.nextLapse ~= lapse then
      p.nextLapse = lapse
      touch(p)
    end
  end
end
-- A product as this change left it.
local function latest(p) return changed[p.sku] or p end
local function publish()
  settle()
  if #order == 0 then return end
  local products = {}
  for i, sku in ipairs(order) do products[i] = changed[sku] end
  redis.call('SPUBLISH', channel, cjson.encode({ epoch = epoch, version = version, products = products }))
end
local function finish(reply)
  publish()
  local text = cjson.encode(reply)
  if once then redis.call('SET', once, cjson.encode({ command = command, reply = text }), 'PX', ARGV[7]) end
  return { 'ok', text }
end
-- The refusal of a change that would take p's onHand to `wanted`, past MAX_ON_HAND; nil when it does not.
local function aboveLimit(p, wanted)
  if wanted <= __MAX_ON_HAND__ then return nil end
  return { ok = false, error = 'on_hand_limit', sku = p.sku, onHand = p.onHand, limit = __MAX_ON_HAND__ }
end
-- The refusal of a write whose caller read another onHand than `current` ('' for any); nil when it is as read.
local function unexpected(current, expected)
  if expected == '' or current == tonumber(expected) then return nil end
  return { ok = false, error = 'conflict', current = current }
end
local function known(sku)
  if not placeOf(sku) then return nil, { 'unknown', sku } end
  local p = product(sku)
  if not p then return nil, { 'lost' } end
  return p
end
