-- ARGV 4 a fresh epoch, then the catalog as sku, name, onHand, sku, name, onHand, ...
--
-- Keeps a whole catalog as it is, answering `kept` and each SKU with its name, for the caller to compare with
-- its own. Otherwise it is the first process on these keys, or keys were lost: it seeds the catalog in a new
-- epoch at version 0. Products it already lists keep their name and onHand, and the others come from ARGV,
-- each restocked from nothing in the ledger; every product's held is counted again from its held lines
-- (holds that are still there stay held), so the new epoch is consistent, and the reset is published.
-- Answers `seeded`. Either way, keys an older stockpoll wrote get each product's held lines that lapse indexed
-- by when they do, and its next lapse.
local INDEXED = prefix .. 'ends:indexed'
local function indexLapses(skus)
  for _, sku in ipairs(skus) do redis.call('DEL', endsKey(sku)) end
  local ends = redis.call('ZRANGE', EXPIRIES, 0, -1, 'WITHSCORES')
  for i = 1, #ends, 2 do
    local bar = string.find(ends[i], '|', 1, true)
    if ending(ends[i + 1]) then
      redis.call('ZADD', endsKey(string.sub(ends[i], 1, bar - 1)), ends[i + 1], string.sub(ends[i], bar + 1))
    end
  end
  for _, sku in ipairs(skus) do
    local lapse = nextLapse(sku)
    if lapse then
      redis.call('HSET', productKey(sku), 'nextLapse', lapse)
    else
      redis.call('HDEL', productKey(sku), 'nextLapse')
    end
  end
  redis.call('SET', INDEXED, 1)
end
-- Indexes the orders an older stockpoll made, which it kept only as `P order:<id>`, by when they were made.
local ORDERS_INDEXED = prefix .. 'orders:indexed'
local function indexOrders()
  local cursor = '0'
  repeat
    local scanned = redis.call('SCAN', cursor, 'MATCH', prefix .. 'order:*', 'COUNT', 1000)
    cursor = scanned[1]
    for _, key in ipairs(scanned[2]) do
      local order = cjson.decode(redis.call('GET', key))
      redis.call('ZADD', ORDERS, order.createdAt, order.id)
    end
  until cursor == '0'
  redis.call('SET', ORDERS_INDEXED, 1)
end
if redis.call('EXISTS', ORDERS_INDEXED) == 0 then indexOrders() end
local epoch = redis.call('GET', KEYS[1])
local version = redis.call('GET', KEYS[2])
local skus = redis.call('ZRANGE', KEYS[3], 0, -1)
local whole = epoch and version and #skus > 0
for _, sku in ipairs(skus) do
  if whole and redis.call('EXISTS', productKey(sku)) == 0 then whole = false end
end
if whole then
  if redis.call('EXISTS', INDEXED) == 0 then indexLapses(skus) end
  local reply = { 'kept' }
  for _, sku in ipairs(skus) do
    reply[#reply + 1] = sku
    reply[#reply + 1] = redis.call('HGET', productKey(sku), 'name')
  end
  return reply
end
local given = {}
for i = 5, #ARGV, 3 do given[ARGV[i]] = { ARGV[i + 1], tonumber(ARGV[i + 2]) } end
if #skus == 0 then
  for i = 5, #ARGV, 3 do
    skus[#skus + 1] = ARGV[i]
    redis.call('ZADD', KEYS[3], #skus, ARGV[i])
  end
end
for _, sku in ipairs(skus) do
  local held = 0
  local lines = redis.call('HGETALL', linesKey(sku))
  redis.call('DEL', unitsKey(sku))
  for i = 1, #lines, 2 do
    held = held + tonumber(lines[i + 1])
    local address = redis.call('HGET', addressesKey(sku), lines[i])
    if address then redis.call('HINCRBY', unitsKey(sku), address, lines[i + 1]) end
  end
  if redis.call('EXISTS', productKey(sku)) == 1 then
    redis.call('HSET', productKey(sku), 'held', held, 'version', 0)
  else
    local definition = given[sku] or { sku, 0 }
    local p = { sku = sku, name = definition[1], onHand = definition[2], held = held, version = 0 }
    redis.call('HSET', productKey(sku), 'name', p.name, 'onHand', p.onHand, 'held', held, 'version', 0)
    if p.onHand ~= 0 then record(p, 'restock', p.onHand, { actor = 'admin', reason = 'catalog' }) end
  end
end
indexLapses(skus)
redis.call('SET', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], 0)
redis.call('SPUBLISH', channel, cjson.encode({ epoch = ARGV[4], version = 0, reset = true }))
return { 'seeded' }
