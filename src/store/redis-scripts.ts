import { effectOf, MOVEMENT_KINDS } from '../domain/movement.js'
import { MAX_ON_HAND } from '../domain/product.js'

/**
 * The Lua that runs inside Redis. Redis runs each script alone, so each is one atomic step: no other
 * process's action can fall between its check and its change, and a change and its movement in the ledger
 * are written together. They apply the rules of `Stockroom`; the store contract suite holds both to the same
 * answers. A script checks everything before it writes anything, since Redis does not undo the writes of a
 * script that fails half-way.
 *
 * Keys, under the store's prefix P: `P epoch` and `P version` (the catalog's; it moves by one on every
 * change), `P skus` (a sorted set of the SKUs, scored by their place in the catalog), `P expiries` (every
 * held line as `<sku>|<session>`, scored by the instant in ms its hold lapses, `+inf` for never), `P lapses`
 * (every lapsed line, scored by when it lapsed), `P cart:<session>` (the SKUs a session has a line of),
 * `P order:<id>` (an order, as JSON), `P once:<scope>:<key>` (an idempotency key's command and first reply),
 * `P ledger` (seq → movement, as JSON) and `P ledger:seq` (the last seq); and per product, under its own
 * hash tag: `P product:{sku}` (a hash of name, onHand, held and version), `P lines:{sku}` (session → units
 * held), `P lapsed:{sku}` (session → units of a lapsed line), `P addresses:{sku}` (session → its client
 * address, while addresses are counted), `P units:{sku}` (address → units held) and `P ledger:{sku}` (the
 * seqs of its movements).
 *
 * Every script gets the keys `P epoch`, `P version` and `P skus` and names the others itself. Every script but
 * the seed first checks the catalog is whole; when the epoch, the version or the SKUs are missing it answers
 * `lost`, and the store seeds again, in a new epoch, before it tries once more. A change is published on the
 * change channel in the same step, as JSON: `{epoch, version, products}` with the products it touched, or
 * `{epoch, version, reset: true}` for a catalog seeded anew.
 *
 * ARGV of every script: 1 prefix, 2 the change channel, 3 now (ms); then its own.
 */

/**
 * Each script opens with its flags (Redis 7). One that may write is refused whole while Redis is out of
 * memory: without flags Redis refuses only a script's first command that grows memory, so one whose first
 * write frees some (an HDEL) would run on past the limit. One that only reads says so, and runs then too.
 */
const WRITES = '#!lua\n'
const READS_ONLY = '#!lua flags=no-writes\n'

/** What each kind of movement does to onHand and held, per unit: generated from `effectOf`, the one source. */
const EFFECTS = MOVEMENT_KINDS.map((kind) => {
  const { onHand, held } = effectOf({ kind, quantity: 1 })
  return `${kind} = { ${onHand}, ${held} }`
}).join(', ')

/** Names, and the lines of a cart as kept across the keys above. */
const LIBRARY = `
local prefix, channel, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local EXPIRIES, LAPSES, LEDGER, LEDGER_SEQ = prefix .. 'expiries', prefix .. 'lapses', prefix .. 'ledger', prefix .. 'ledger:seq'
local function productKey(sku) return prefix .. 'product:{' .. sku .. '}' end
local function linesKey(sku) return prefix .. 'lines:{' .. sku .. '}' end
local function lapsedKey(sku) return prefix .. 'lapsed:{' .. sku .. '}' end
local function addressesKey(sku) return prefix .. 'addresses:{' .. sku .. '}' end
local function unitsKey(sku) return prefix .. 'units:{' .. sku .. '}' end
local function ledgerOfKey(sku) return prefix .. 'ledger:{' .. sku .. '}' end
local function cartKey(session) return prefix .. 'cart:' .. session end
local function orderKey(id) return prefix .. 'order:' .. id end

local function product(sku)
  local p = redis.call('HMGET', productKey(sku), 'name', 'onHand', 'held', 'version')
  if not p[1] then return nil end
  return { sku = sku, name = p[1], onHand = tonumber(p[2]), held = tonumber(p[3]), version = tonumber(p[4]) }
end
local function placeOf(sku) return tonumber(redis.call('ZSCORE', KEYS[3], sku)) end
-- An end of a hold as the store reads it: nil for never.
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
local function dropLine(sku, session)
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
  redis.call('ZREM', LAPSES, member)
  redis.call('SREM', cartKey(session), sku)
end
-- Keeps a line, held until \`ends\` (a score: ms, or '+inf') or lapsed at it.
local function putLine(sku, session, quantity, ends, lapsed, address)
  dropLine(sku, session)
  local member = sku .. '|' .. session
  if lapsed then
    redis.call('HSET', lapsedKey(sku), session, quantity)
    redis.call('ZADD', LAPSES, ends, member)
  else
    redis.call('HSET', linesKey(sku), session, quantity)
    redis.call('ZADD', EXPIRIES, ends, member)
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
-- movement as \`Movement\` has it.
local function record(p, kind, quantity, who)
  local seq = redis.call('INCR', LEDGER_SEQ)
  redis.call('HSET', LEDGER, seq, cjson.encode({
    seq = seq, time = now, sku = p.sku, kind = kind, quantity = quantity, actor = who.actor,
    orderId = who.orderId or cjson.null, idempotencyKey = who.key or cjson.null, reason = who.reason or cjson.null,
    onHand = p.onHand, held = p.held,
  }))
  redis.call('ZADD', ledgerOfKey(p.sku), seq, seq)
end
`

/** Reads the catalog's keys, answering `lost` when the catalog is not whole. */
const CATALOG = `${LIBRARY}
local epoch = redis.call('GET', KEYS[1])
local version = tonumber(redis.call('GET', KEYS[2]))
if not epoch or not version or redis.call('EXISTS', KEYS[3]) == 0 then return { 'lost' } end
`

/**
 * A change: every product it touches gets the catalog's next version, taken once, and every move of onHand
 * or held is recorded with the counters after it; \`finish\` publishes the products changed, and keeps the
 * reply for the idempotency key. ARGV 4 the idempotency key as the client gave it ('' for none; the ledger
 * records it), 5 whose keys it is among (a shopper's, the admin's), 6 the command it is compared by, 7 how long
 * it is kept (ms).
 *
 * Under a key already used, the script does nothing: the same command is answered `replayed` and the
 * first reply, another `reused`. Otherwise a change answers `ok` and its reply, as JSON.
 */
const CHANGE = `${CATALOG}
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
local EFFECTS = { ${EFFECTS} }
-- The products changed, by SKU as last written, in the order first changed.
local changed, order = {}, {}
local bumped = false
local function touch(p)
  if not bumped then
    version, bumped = redis.call('INCR', KEYS[2]), true
  end
  p.version = version
  redis.call('HSET', productKey(p.sku), 'name', p.name, 'onHand', p.onHand, 'held', p.held, 'version', version)
  if not changed[p.sku] then order[#order + 1] = p.sku end
  changed[p.sku] = p
  return p
end
-- Who a movement is by: \`actor\`, under this change's idempotency key, with \`more\` (an order, a reason).
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
local function publish()
  if #order == 0 then return end
  local products = {}
  for i, sku in ipairs(order) do products[i] = changed[sku] end
  redis.call('PUBLISH', channel, cjson.encode({ epoch = epoch, version = version, products = products }))
end
local function finish(reply)
  publish()
  local text = cjson.encode(reply)
  if once then redis.call('SET', once, cjson.encode({ command = command, reply = text }), 'PX', ARGV[7]) end
  return { 'ok', text }
end
-- The refusal of a change that would take p's onHand to \`wanted\`, past MAX_ON_HAND; nil when it does not.
local function aboveLimit(p, wanted)
  if wanted <= ${MAX_ON_HAND} then return nil end
  return { ok = false, error = 'on_hand_limit', sku = p.sku, onHand = p.onHand, limit = ${MAX_ON_HAND} }
end
local function known(sku)
  if not placeOf(sku) then return nil, { 'unknown', sku } end
  local p = product(sku)
  if not p then return nil, { 'lost' } end
  return p
end
`

/**
 * ARGV 4 a fresh epoch, then the catalog as sku, name, onHand, sku, name, onHand, ...
 *
 * Keeps a whole catalog as it is, answering `kept` and each SKU with its name, for the caller to compare
 * with its own. Otherwise it is the first process on these keys, or keys were lost: it seeds the catalog in
 * a new epoch at version 0. Products it already lists keep their name and onHand, and the others come from
 * ARGV, each restocked from nothing in the ledger; every product's held is counted again from its held
 * lines (holds that are still there stay held), so the new epoch is consistent, and the reset is published.
 * Answers `seeded`.
 */
export const SEED_SCRIPT = `${WRITES}${LIBRARY}
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
redis.call('SET', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], 0)
redis.call('PUBLISH', channel, cjson.encode({ epoch = ARGV[4], version = 0, reset = true }))
return { 'seeded' }
`

/**
 * ARGV 4 and on: the SKUs to read, or none for every product. Answers `ok` and, as JSON, the epoch, the
 * version, the ledger's last seq and the products; or `unknown` and the first SKU the catalog lacks.
 */
export const READ_SCRIPT = `${READS_ONLY}${CATALOG}
local skus = {}
if #ARGV > 3 then
  for i = 4, #ARGV do skus[#skus + 1] = ARGV[i] end
else
  skus = redis.call('ZRANGE', KEYS[3], 0, -1)
end
local products = {}
for _, sku in ipairs(skus) do
  if not placeOf(sku) then return { 'unknown', sku } end
  local p = product(sku)
  if not p then return { 'lost' } end
  products[#products + 1] = p
end
local seq = tonumber(redis.call('GET', LEDGER_SEQ)) or 0
return { 'ok', cjson.encode({ epoch = epoch, version = version, seq = seq, products = products }) }
`

/**
 * ARGV 4 session. Answers `ok` and, as JSON, the epoch, the version and the session's lines in catalog order,
 * each with its product.
 */
export const CART_SCRIPT = `${READS_ONLY}${CATALOG}
local lines = {}
for _, line in ipairs(linesOf(ARGV[4])) do
  local p = product(line.sku)
  if p then
    lines[#lines + 1] = { sku = line.sku, quantity = line.quantity, ends = line.ends or cjson.null, lapsed = line.lapsed, product = p }
  end
end
return { 'ok', cjson.encode({ epoch = epoch, version = version, lines = lines }) }
`

/**
 * ARGV 4 sku. Answers `ok` and, as JSON, every line of the product, held or lapsed: session, units, end,
 * whether it lapsed, address.
 */
export const HOLDS_SCRIPT = `${READS_ONLY}${CATALOG}
local sku = ARGV[4]
if not placeOf(sku) then return { 'unknown', sku } end
local lines = {}
for _, kind in ipairs({ linesKey(sku), lapsedKey(sku) }) do
  for _, session in ipairs(redis.call('HKEYS', kind)) do
    local line = lineOf(sku, session)
    lines[#lines + 1] = {
      session = session, quantity = line.quantity, ends = line.ends or cjson.null, lapsed = line.lapsed,
      address = line.address or cjson.null,
    }
  end
end
return { 'ok', cjson.encode(lines) }
`

/**
 * ARGV 8 sku, 9 session, 10 'add', 'remove' or 'set', 11 the quantity for 'set', 12 the end of the hold (ms,
 * or '+inf'), 13 the units a session may hold, 14 the units an address may hold (0 for no cap), 15 the
 * client address ('' for none).
 *
 * Sets the line as \`Stockroom.apply\` would, a lapsed line counting as holding none; a change to held bumps
 * the version and writes a \`hold\` or \`release\`. Its reply is a \`CartResult\`.
 */
export const APPLY_SCRIPT = `${WRITES}${CHANGE}
local sku, session, action = ARGV[8], ARGV[9], ARGV[10]
local p, problem = known(sku)
if not p then return problem end
local line = lineOf(sku, session)
local held = (line and not line.lapsed) and line.quantity or 0
local address = (line and line.address) or (ARGV[15] ~= '' and ARGV[15]) or nil
local byAddress = address and tonumber(redis.call('HGET', unitsKey(sku), address)) or 0
local wanted = 0
if action == 'add' then wanted = math.max(1, held) elseif action == 'set' then wanted = tonumber(ARGV[11]) end
local more = wanted - held
local perSession, perAddress = tonumber(ARGV[13]), tonumber(ARGV[14])
local available = math.max(0, p.onHand - p.held)
local refusal
if more > 0 and wanted > perSession then
  refusal = { error = 'limit_reached', limit = perSession }
elseif more > 0 and more > available then
  refusal = { error = 'sold_out', available = available }
elseif more > 0 and perAddress > 0 and byAddress + more > perAddress then
  refusal = { error = 'address_limit', limit = perAddress }
end
if refusal then return finish({ epoch = epoch, version = version, ok = false, refusal = refusal, product = p }) end
if wanted == 0 then dropLine(sku, session) else putLine(sku, session, wanted, ARGV[12], false, address) end
if more ~= 0 then move(p, more > 0 and 'hold' or 'release', more, by(session)) end
local holdUntil = (wanted == 0 or ARGV[12] == '+inf') and cjson.null or tonumber(ARGV[12])
local kept = { sku = sku, quantity = wanted, holdUntil = holdUntil, lapsed = false, product = p }
return finish({ epoch = epoch, version = version, ok = true, line = kept })
`

/**
 * ARGV 8 how many lines to lapse or forget at most, 9 the instant before which lapsed lines are forgotten.
 * Lapses the held lines whose hold ends at or before now, their units back to stock, each an \`expire\` of its
 * session, all one change; forgets lapsed lines that lapsed before ARGV 9. Run by every process, it lapses
 * each hold once, since the first run removes what the others would. Answers `ok` and how many lines it
 * lapsed or forgot, whichever is more.
 */
export const EXPIRE_SCRIPT = `${WRITES}${CHANGE}
local batch = tonumber(ARGV[8])
local ended = redis.call('ZRANGEBYSCORE', EXPIRIES, '-inf', now, 'WITHSCORES', 'LIMIT', 0, batch)
for i = 1, #ended, 2 do
  local member = ended[i]
  local bar = string.find(member, '|', 1, true)
  local sku, session = string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
  local line, p = lineOf(sku, session), product(sku)
  if line and p then
    putLine(sku, session, line.quantity, ended[i + 1], true, line.address)
    move(p, 'expire', -line.quantity, by(session))
  else
    redis.call('ZREM', EXPIRIES, member)
  end
end
local forgotten = redis.call('ZRANGEBYSCORE', LAPSES, '-inf', ARGV[9], 'LIMIT', 0, batch)
for _, member in ipairs(forgotten) do
  local bar = string.find(member, '|', 1, true)
  dropLine(string.sub(member, 1, bar - 1), string.sub(member, bar + 1))
end
publish()
return { 'ok', math.max(#ended / 2, #forgotten) }
`

/**
 * ARGV 8 session, 9 the new order's id. Sells every line of the session's cart as \`Stockroom.checkout\`:
 * all or none, a lapsed line held again and sold if its units are still there. Its reply is a
 * \`CheckoutResult\`.
 */
export const CHECKOUT_SCRIPT = `${WRITES}${CHANGE}
local session, id = ARGV[8], ARGV[9]
local lines = linesOf(session)
if #lines == 0 then return finish({ ok = false, error = 'cart_empty' }) end
local products, short = {}, {}
for _, line in ipairs(lines) do
  local p = product(line.sku)
  if not p then return { 'lost' } end
  products[line.sku] = p
  local available = math.max(0, p.onHand - p.held)
  if line.lapsed and line.quantity > available then
    short[#short + 1] = { sku = line.sku, quantity = line.quantity, available = available }
  end
end
if #short > 0 then return finish({ ok = false, error = 'insufficient_stock', lines = short }) end
local who = by(session, { orderId = id })
local sold = {}
for _, line in ipairs(lines) do
  local p = products[line.sku]
  if line.lapsed then move(p, 'hold', line.quantity, who) end
  move(p, 'sale', -line.quantity, who)
  dropLine(line.sku, session)
  sold[#sold + 1] = { sku = line.sku, name = p.name, quantity = line.quantity }
end
local order = { id = id, session = session, lines = sold, createdAt = now, status = 'placed' }
redis.call('SET', orderKey(id), cjson.encode(order))
return finish({ ok = true, order = order })
`

/**
 * ARGV 8 sku, 9 name, 10 onHand, 11 the onHand the caller expects ('' for any). Creates or replaces a
 * product as \`Stockroom.putProduct\`. Its reply is a \`PutResult\`.
 */
export const PUT_PRODUCT_SCRIPT = `${WRITES}${CHANGE}
local sku, name, onHand, expected = ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11]
local existing = product(sku)
if placeOf(sku) and not existing then return { 'lost' } end
local current = existing and existing.onHand or 0
if expected ~= '' and current ~= tonumber(expected) then
  return finish({ ok = false, error = 'conflict', current = current })
end
if existing and onHand < existing.held then return finish({ ok = false, error = 'below_held', held = existing.held }) end
local tooMany = aboveLimit(existing or { sku = sku, onHand = 0 }, onHand)
if tooMany then return finish(tooMany) end
local p = existing
if not p then
  local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
  redis.call('ZADD', KEYS[3], tonumber(last[2] or 0) + 1, sku)
  p = touch({ sku = sku, name = name, onHand = 0, held = 0 })
end
if p.name ~= name then
  p.name = name
  touch(p)
end
if onHand ~= p.onHand then move(p, existing and 'adjust' or 'restock', onHand - p.onHand, by('admin')) end
return finish({ ok = true, product = p, created = not existing })
`

/** ARGV 8 sku, 9 delta, 10 reason. Moves onHand as \`Stockroom.adjust\`. Its reply is an \`AdjustResult\`. */
export const ADJUST_SCRIPT = `${WRITES}${CHANGE}
local sku, delta = ARGV[8], tonumber(ARGV[9])
local p, problem = known(sku)
if not p then return problem end
if p.onHand + delta < p.held then return finish({ ok = false, error = 'below_held', held = p.held }) end
local tooMany = aboveLimit(p, p.onHand + delta)
if tooMany then return finish(tooMany) end
if delta ~= 0 then move(p, delta > 0 and 'restock' or 'adjust', delta, by('admin', { reason = ARGV[10] })) end
return finish({ ok = true, product = p })
`

/** ARGV 8 sku, 9 session. Lets go one session's line as \`Stockroom.releaseHold\`. Its reply is a \`ReleaseResult\`. */
export const RELEASE_SCRIPT = `${WRITES}${CHANGE}
local sku, session = ARGV[8], ARGV[9]
local p, problem = known(sku)
if not p then return problem end
local line = lineOf(sku, session)
if not line then return finish({ ok = false, error = 'no_hold' }) end
dropLine(sku, session)
local released = line.lapsed and 0 or line.quantity
if released > 0 then move(p, 'release', -released, by('admin')) end
return finish({ ok = true, released = released, product = p })
`

/** ARGV 8 order id. Cancels an order as \`Stockroom.cancelOrder\`. Its reply is a \`CancelResult\`. */
export const CANCEL_SCRIPT = `${WRITES}${CHANGE}
local id = ARGV[8]
local order = redis.call('GET', orderKey(id))
if not order then return finish({ ok = false, error = 'order_not_found' }) end
order = cjson.decode(order)
if order.status == 'cancelled' then return finish({ ok = false, error = 'already_cancelled' }) end
for _, line in ipairs(order.lines) do
  local p = product(line.sku)
  if not p then return { 'lost' } end
  local tooMany = aboveLimit(p, p.onHand + line.quantity)
  if tooMany then return finish(tooMany) end
end
for _, line in ipairs(order.lines) do move(product(line.sku), 'cancel', line.quantity, by('admin', { orderId = id })) end
order.status = 'cancelled'
redis.call('SET', orderKey(id), cjson.encode(order))
return finish({ ok = true, order = order })
`
