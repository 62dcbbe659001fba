/**
 * The Lua that runs inside Redis. Redis runs each script alone, so each is one atomic step: no other
 * process's action can fall between its check and its change. They apply the rules of `Stockroom`.
 *
 * Keys, under the store's prefix P: `P epoch` and `P version` (the catalog's; it moves by one on every
 * change), `P skus` (a sorted set of the SKUs, scored by their place in the catalog), `P expiries` (every
 * held line as `<sku>|<session>`, scored by the instant in ms its hold lapses, `+inf` for never), `P cart:<session>`
 * (the SKUs a session holds), and per product, under its own hash tag: `P product:{sku}` (a hash of name,
 * onHand, held and version), `P lines:{sku}` (session → units), `P addresses:{sku}` (session → its client
 * address) and `P units:{sku}` (address → units), the last two only while MAX_UNITS_PER_ADDRESS is set.
 *
 * Every script but the seed first checks the catalog is whole; when the epoch, the version or the SKUs are
 * missing it answers `lost`, and the store seeds again, in a new epoch, before it tries once more. A change
 * is published on the change channel in the same step, as JSON: `{epoch, version, products}` with the
 * products it touched, or `{epoch, version, reset: true}` for a catalog seeded anew.
 */

/** Key names the scripts build themselves: for products only known inside the script. */
const KEY_NAMES = `
local prefix = ARGV[1]
local function productKey(sku) return prefix .. 'product:{' .. sku .. '}' end
local function linesKey(sku) return prefix .. 'lines:{' .. sku .. '}' end
local function addressesKey(sku) return prefix .. 'addresses:{' .. sku .. '}' end
local function unitsKey(sku) return prefix .. 'units:{' .. sku .. '}' end
local function cartKey(session) return prefix .. 'cart:' .. session end
`

/** KEYS 1 epoch, 2 version, 3 skus. Reads them, answering `lost` when the catalog is not whole. */
const CATALOG = `${KEY_NAMES}
local epoch = redis.call('GET', KEYS[1])
local version = tonumber(redis.call('GET', KEYS[2]))
if not epoch or not version or redis.call('EXISTS', KEYS[3]) == 0 then return { 'lost' } end
local function product(sku)
  local p = redis.call('HMGET', productKey(sku), 'name', 'onHand', 'held', 'version')
  if not p[1] then return nil end
  return { sku = sku, name = p[1], onHand = tonumber(p[2]), held = tonumber(p[3]), version = tonumber(p[4]) }
end
local function published(products)
  redis.call('PUBLISH', ARGV[2], cjson.encode({ epoch = epoch, version = version, products = products }))
end
local function ends(score)
  if not score or score == 'inf' then return 0 end
  return tonumber(score)
end
`

/**
 * KEYS 1 epoch, 2 version, 3 skus. ARGV 1 prefix, 2 a fresh epoch, 3 the change channel, then the catalog
 * as sku, name, onHand, sku, name, onHand, ...
 *
 * Keeps a whole catalog as it is, answering `kept` and each SKU with its name, for the caller to compare
 * with its own. Otherwise it is the first process on these keys, or keys were lost: it seeds the catalog in
 * a new epoch at version 0. Products it already lists keep their name and onHand, and the others come from
 * ARGV; every product's held is counted again from its lines (holds that are still there stay held), so the
 * new epoch is consistent, and the reset is published. Answers `seeded`.
 */
export const SEED_SCRIPT = `${KEY_NAMES}
local epoch = redis.call('GET', KEYS[1])
local version = redis.call('GET', KEYS[2])
local skus = redis.call('ZRANGE', KEYS[3], 0, -1)
local whole = epoch and version and #skus > 0
for _, sku in ipairs(skus) do
  if whole and redis.call('EXISTS', productKey(sku)) == 0 then whole = false end
end
if whole then
  local reply = { 'kept' }
  for _, sku in ipairs(skus) do
    reply[#reply + 1] = sku
    reply[#reply + 1] = redis.call('HGET', productKey(sku), 'name')
  end
  return reply
end
local given = {}
for i = 4, #ARGV, 3 do given[ARGV[i]] = { ARGV[i + 1], ARGV[i + 2] } end
if #skus == 0 then
  for i = 4, #ARGV, 3 do
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
    redis.call('HSET', productKey(sku), 'name', definition[1], 'onHand', definition[2], 'held', held, 'version', 0)
  end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], 0)
redis.call('PUBLISH', ARGV[3], cjson.encode({ epoch = ARGV[2], version = 0, reset = true }))
return { 'seeded' }
`

/**
 * KEYS 1 epoch, 2 version, 3 skus. ARGV 1 prefix, then the SKUs to read, or none for every product.
 * Answers `ok`, the epoch and the version, then sku, name, onHand, held, version for each product; or
 * `unknown` and the first SKU the catalog lacks.
 */
export const READ_SCRIPT = `${CATALOG}
local skus = {}
if #ARGV > 1 then
  for i = 2, #ARGV do skus[#skus + 1] = ARGV[i] end
else
  skus = redis.call('ZRANGE', KEYS[3], 0, -1)
end
local reply = { 'ok', epoch, version }
for _, sku in ipairs(skus) do
  if not redis.call('ZSCORE', KEYS[3], sku) then return { 'unknown', sku } end
  local p = product(sku)
  if not p then return { 'lost' } end
  for _, value in ipairs({ sku, p.name, p.onHand, p.held, p.version }) do reply[#reply + 1] = value end
end
return reply
`

/**
 * KEYS 1 epoch, 2 version, 3 skus, 4 expiries, 5 cart:<session>. ARGV 1 prefix, 2 session.
 * Answers `ok`, the epoch and the version, then, for each line of the session: sku, its place in the
 * catalog, units, the end of its hold (0 for never), name, onHand, held, version.
 */
export const CART_SCRIPT = `${CATALOG}
local session = ARGV[2]
local reply = { 'ok', epoch, version }
for _, sku in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  local units = redis.call('HGET', linesKey(sku), session)
  local p = product(sku)
  if units and p then
    local place = redis.call('ZSCORE', KEYS[3], sku)
    local ending = ends(redis.call('ZSCORE', KEYS[4], sku .. '|' .. session))
    for _, value in ipairs({ sku, tonumber(place), tonumber(units), ending, p.name, p.onHand, p.held, p.version }) do
      reply[#reply + 1] = value
    end
  end
end
return reply
`

/**
 * KEYS 1 epoch, 2 version, 3 skus, 4 expiries, 5 product:{sku}, 6 lines:{sku}, 7 addresses:{sku},
 * 8 units:{sku}, 9 cart:<session>, 10 the key that remembers an idempotent action's reply ('' for none).
 * ARGV 1 prefix, 2 the change channel, 3 sku, 4 session, 5 'add', 'remove' or 'set', 6 the quantity for
 * 'set', 7 the end of the hold (ms, or '+inf'), 8 the units a session may hold, 9 the units an address may
 * hold (0 for no cap), 10 the client address ('' for none), 11 the command an idempotency key is compared
 * by, 12 how long the key is kept (ms).
 *
 * Sets the line as \`decideLine\` would; a change to held bumps the version, stamps the product with it and
 * publishes it, in the same step. Under a key already used it does nothing: the same command is given the
 * reply first recorded, another gets \`reused\`.
 * Answers `ok` or `refused` (or `unknown`, `lost`, `reused`), 1 if this is a reply given again, the epoch,
 * the version, the product's name, onHand, held and version, then the line's units and the end of its hold
 * (0 for none), or the refusal's code and figure.
 */
export const APPLY_SCRIPT = `${CATALOG}
local once, sku, session, action = KEYS[10], ARGV[3], ARGV[4], ARGV[5]
if once ~= '' then
  local first = redis.call('GET', once)
  if first then
    first = cjson.decode(first)
    if first.command ~= ARGV[11] then return { 'reused' } end
    first.reply[2] = 1
    return first.reply
  end
end
if not redis.call('ZSCORE', KEYS[3], sku) then return { 'unknown', sku } end
local p = product(sku)
if not p then return { 'lost' } end
local held = tonumber(redis.call('HGET', KEYS[6], session)) or 0
local wanted = held
if action == 'add' then wanted = math.max(1, held) elseif action == 'remove' then wanted = 0 else wanted = tonumber(ARGV[6]) end
local more = wanted - held
local perSession, perAddress = tonumber(ARGV[8]), tonumber(ARGV[9])
local address = false
if perAddress > 0 then
  address = redis.call('HGET', KEYS[7], session) or (ARGV[10] ~= '' and ARGV[10])
end
local byAddress = address and tonumber(redis.call('HGET', KEYS[8], address)) or 0
local available = math.max(0, p.onHand - p.held)
local reply
local function answer(status, a, b)
  reply = { status, 0, epoch, version, p.name, p.onHand, p.held, p.version, a, b }
end
if more > 0 and wanted > perSession then
  answer('refused', 'limit_reached', perSession)
elseif more > 0 and more > available then
  answer('refused', 'sold_out', available)
elseif more > 0 and address and byAddress + more > perAddress then
  answer('refused', 'address_limit', perAddress)
else
  local member = sku .. '|' .. session
  if wanted == 0 then
    redis.call('HDEL', KEYS[6], session)
    redis.call('HDEL', KEYS[7], session)
    redis.call('ZREM', KEYS[4], member)
    redis.call('SREM', KEYS[9], sku)
  else
    redis.call('HSET', KEYS[6], session, wanted)
    redis.call('ZADD', KEYS[4], ARGV[7], member)
    redis.call('SADD', KEYS[9], sku)
    if address then redis.call('HSET', KEYS[7], session, address) end
  end
  if address and more ~= 0 then
    if redis.call('HINCRBY', KEYS[8], address, more) <= 0 then redis.call('HDEL', KEYS[8], address) end
  end
  if more ~= 0 then
    version = redis.call('INCR', KEYS[2])
    p.held, p.version = p.held + more, version
    redis.call('HSET', KEYS[5], 'held', p.held, 'version', version)
    published({ p })
  end
  answer('ok', wanted, wanted == 0 and 0 or ends(redis.call('ZSCORE', KEYS[4], member)))
end
if once ~= '' then
  redis.call('SET', once, cjson.encode({ command = ARGV[11], reply = reply }), 'PX', ARGV[12])
end
return reply
`

/**
 * KEYS 1 epoch, 2 version, 3 skus, 4 expiries. ARGV 1 prefix, 2 the change channel, 3 now (ms), 4 how many
 * holds to end at most.
 * Returns to stock the holds that end at or before now, as one change; run by every process, it returns each
 * hold once, since the first run removes what the others would. Answers how many holds ended.
 */
export const EXPIRE_SCRIPT = `${CATALOG}
local ended = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[3], 'LIMIT', 0, ARGV[4])
local freed, order = {}, {}
for _, member in ipairs(ended) do
  local bar = string.find(member, '|', 1, true)
  local sku, session = string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
  local units = tonumber(redis.call('HGET', linesKey(sku), session)) or 0
  local address = redis.call('HGET', addressesKey(sku), session)
  redis.call('HDEL', linesKey(sku), session)
  redis.call('HDEL', addressesKey(sku), session)
  redis.call('SREM', cartKey(session), sku)
  redis.call('ZREM', KEYS[4], member)
  if address and units > 0 then
    if redis.call('HINCRBY', unitsKey(sku), address, -units) <= 0 then redis.call('HDEL', unitsKey(sku), address) end
  end
  if units > 0 then
    if not freed[sku] then order[#order + 1] = sku end
    freed[sku] = (freed[sku] or 0) + units
  end
end
if #order > 0 then
  version = redis.call('INCR', KEYS[2])
  local products = {}
  for _, sku in ipairs(order) do
    local p = product(sku)
    if p then
      p.held, p.version = p.held - freed[sku], version
      redis.call('HSET', productKey(sku), 'held', p.held, 'version', version)
      products[#products + 1] = p
    end
  end
  if #products > 0 then published(products) end
end
return #ended
`
