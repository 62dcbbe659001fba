-- ARGV 8 sku, 9 session, 10 'add', 'remove' or 'set', 11 the quantity for 'set', 12 the end of the hold (ms;
-- '' for never), 13 the units a session may hold, 14 the units an address may hold (0 for no cap), 15 the
-- client address ('' for none).
--
-- Sets the line as Stockroom.apply would, a lapsed line counting as holding none; a change to held bumps the
-- version and writes a `hold` or `release`. Its reply is a CartResult.
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
if more > 0 and p.archived then
  refusal = { error = 'archived' }
elseif more > 0 and wanted > perSession then
  refusal = { error = 'limit_reached', limit = perSession }
elseif more > 0 and more > available then
  refusal = { error = 'sold_out', available = available }
elseif more > 0 and perAddress > 0 and byAddress + more > perAddress then
  refusal = { error = 'address_limit', limit = perAddress }
end
if refusal then return finish({ epoch = epoch, version = version, ok = false, refusal = refusal, product = p }) end
local ends = tonumber(ARGV[12])
if wanted == 0 then dropLine(sku, session) else putLine(sku, session, wanted, ends, false, address) end
if more ~= 0 then move(p, more > 0 and 'hold' or 'release', more, by(session)) end
settle()
local holdUntil = (wanted == 0 or not ends) and cjson.null or ends
local kept = { sku = sku, quantity = wanted, holdUntil = holdUntil, lapsed = false, product = latest(p) }
return finish({ epoch = epoch, version = version, ok = true, line = kept })
