-- What every script shares: names, and the lines of a cart as kept across the keys below.
--
-- Redis runs each script alone, so each is one atomic step: no other process's action can fall between its
-- check and its change, and a change and its movement in the ledger are written together. The scripts apply
-- the rules of Stockroom (src/domain/stockroom.ts); the store contract suite and the differential test hold
-- them to the same answers. A script checks everything before it writes anything, since Redis does not undo
-- the writes of a script that fails half-way.
--
-- Keys, under the store's prefix P: `P epoch` and `P version` (the catalog's; it moves by one on every
-- change), `P skus` (a sorted set of the SKUs, scored by their place in the catalog), `P expiries` (every held
-- line that lapses, as `<sku>|<session>`, scored by the instant in ms its hold lapses; a hold that never
-- lapses is not in it), `P lapses` (every lapsed line, scored by when it lapsed), `P cart:<session>` (the SKUs
-- a session has a line of), `P order:<id>` (an order, as JSON), `P orders` (every order's id, scored by when it
-- was made), `P once:<scope>:<key>` (an idempotency key's command and first reply), `P ledger` (seq ->
-- movement, as JSON), `P ledger:seq` (the last seq) and `P master` (the replication id of the master that
-- last took the catalog on: see adopt.lua); and per product: `P product:{sku}` (a hash of name, onHand, held,
-- version and, while one of its holds will lapse, nextLapse, while it is archived, archived = 1, and once a
-- sale took from its holds, holdsTakenAt), `P lines:{sku}` (session -> units held), `P ends:{sku}` (its held
-- lines that lapse, by session, scored as in `P expiries`), `P lapsed:{sku}` (session -> units of a lapsed
-- line), `P addresses:{sku}` (session -> its client address, while addresses are counted), `P units:{sku}`
-- (address -> units held) and `P ledger:{sku}` (the seqs of its movements).
--
-- Every script is given the keys it can name before it runs: KEYS 1 `P epoch`, 2 `P version`, 3 `P skus`,
-- 4 `P expiries`, 5 `P lapses`, 6 `P ledger`, 7 `P ledger:seq`, 8 `P orders`, 9 `P master`. The others (a
-- product's, a session's cart, an order, an idempotency key) it can only name once it has read which, so it
-- builds them from the prefix. On a Redis Cluster the prefix is a hash tag (`{...}`), which puts every key of
-- the shop in the one slot of the keys given, so the script runs on the node that holds them all. Every script
-- but the seed first checks the catalog is whole, and answers `lost` when it is not (the store then seeds it
-- again, in a new epoch, and tries once more). A change is published on the change channel in the same step,
-- as JSON: `{epoch, version, products}` with the products it touched, or `{epoch, version, reset: true}` for
-- a catalog seeded anew. Every number they write stays under 10^14, which cjson writes exactly.
--
-- ARGV of every script: 1 prefix, 2 the change channel, 3 now (ms); then its own.
local prefix, channel, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local EXPIRIES, LAPSES, LEDGER, LEDGER_SEQ, ORDERS = KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local function productKey(sku) return prefix .. 'product:{' .. sku .. '}' end
local function linesKey(sku) return prefix .. 'lines:{' .. sku .. '}' end
local function endsKey(sku) return prefix .. 'ends:{' .. sku .. '}' end
local function lapsedKey(sku) return prefix .. 'lapsed:{' .. sku .. '}' end
local function addressesKey(sku) return prefix .. 'addresses:{' .. sku .. '}' end
local function unitsKey(sku) return prefix .. 'units:{' .. sku .. '}' end
local function ledgerOfKey(sku) return prefix .. 'ledger:{' .. sku .. '}' end
local function cartKey(session) return prefix .. 'cart:' .. session end
local function orderKey(id) return prefix .. 'order:' .. id end

local function product(sku)
  local p = redis.call('HMGET', productKey(sku), 'name', 'onHand', 'held', 'version', 'nextLapse', 'archived', 'holdsTakenAt')
  if not p[1] then return nil end
  return {
    sku = sku, name = p[1], onHand = tonumber(p[2]), held = tonumber(p[3]), version = tonumber(p[4]),
    nextLapse = tonumber(p[5]), archived = p[6] == '1' or nil, holdsTakenAt = tonumber(p[7]),
  }
end
-- When the first of a product's held lines that lapse will lapse; nil while none will.
local function nextLapse(sku)
  local first = redis.call('ZRANGE', endsKey(sku), 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2]) or nil
end
local function placeOf(sku) return tonumber(redis.call('ZSCORE', KEYS[3], sku)) end
-- When a hold ends, from its score: nil for never (a hold that never lapses has no score; one scored +inf by
-- an earlier stockpoll is read the same).
local function ending(score)
  if not score or score == 'inf' then return nil end
  return tonumber(score)
end

-- A line: its units, whether its hold lapsed, when it ends or ended (nil for never), its client address.
local function lineOf(sku, session)
  local member = sku .. '|' .. session
  local address = redis.call('HGET', addressesKey(sku), session) or nil
  local units = redis.call('HGET', linesKey(sku), session)
  if units then
    return { quantity = tonumber(units), lapsed = false, ends = ending(redis.call('ZSCORE', EXPIRIES, member)), address = address }
  end
  units = redis.call('HGET', lapsedKey(sku), session)
  if units then
    return { quantity = tonumber(units), lapsed = true, ends = ending(redis.call('ZSCORE', LAPSES, member)), address = address }
  end
  return nil
end
-- The SKUs whose lines this script changed, in the order first changed: their next lapse is worked out anew
-- as a change ends.
local linesChanged, linesChangedSeen = {}, {}
local function dropLine(sku, session)
  if not linesChangedSeen[sku] then
    linesChangedSeen[sku] = true
    linesChanged[#linesChanged + 1] = sku
  end
  local member = sku .. '|' .. session
  local held = tonumber(redis.call('HGET', linesKey(sku), session))
  local address = redis.call('HGET', addressesKey(sku), session)
  if held and address then
    if redis.call('HINCRBY', unitsKey(sku), address, -held) <= 0 then redis.call('HDEL', unitsKey(sku), address) end
  end
  redis.call('HDEL', linesKey(sku), session)
  redis.call('HDEL', lapsedKey(sku), session)
  redis.call('HDEL', addressesKey(sku), session)
  redis.call('ZREM', EXPIRIES, member)
  redis.call('ZREM', endsKey(sku), session)
  redis.call('ZREM', LAPSES, member)
  redis.call('SREM', cartKey(session), sku)
end
-- Keeps a line, held until `ends` (ms; nil for never) or lapsed at it.
local function putLine(sku, session, quantity, ends, lapsed, address)
  dropLine(sku, session)
  local member = sku .. '|' .. session
  if lapsed then
    redis.call('HSET', lapsedKey(sku), session, quantity)
    redis.call('ZADD', LAPSES, ends, member)
  else
    redis.call('HSET', linesKey(sku), session, quantity)
    if ends then
      redis.call('ZADD', EXPIRIES, ends, member)
      redis.call('ZADD', endsKey(sku), ends, session)
    end
    if address then redis.call('HINCRBY', unitsKey(sku), address, quantity) end
  end
  if address then redis.call('HSET', addressesKey(sku), session, address) end
  redis.call('SADD', cartKey(session), sku)
end
-- A session's lines, in catalog order.
local function linesOf(session)
  local lines = {}
  for _, sku in ipairs(redis.call('SMEMBERS', cartKey(session))) do
    local line = lineOf(sku, session)
    if line then
      line.sku, line.place = sku, placeOf(sku) or 0
      lines[#lines + 1] = line
    end
  end
  table.sort(lines, function(a, b) return a.place < b.place end)
  return lines
end

-- Writes a movement of a product whose counters are already moved, with them; a ledger entry is the
-- movement as `Movement` has it.
local function record(p, kind, quantity, who)
  local seq = redis.call('INCR', LEDGER_SEQ)
  redis.call('HSET', LEDGER, seq, cjson.encode({
    seq = seq, time = now, sku = p.sku, kind = kind, quantity = quantity, actor = who.actor,
    orderId = who.orderId or cjson.null, idempotencyKey = who.key or cjson.null, reason = who.reason or cjson.null,
    onHand = p.onHand, held = p.held,
  }))
  redis.call('ZADD', ledgerOfKey(p.sku), seq, seq)
end
