-- ARGV 8 sku, 9 quantity, 10 reason, 11 the onHand the caller expects ('' for any), 12 1 to take from holds, 0
-- not to. Sells units made elsewhere as Stockroom.sell: out of what no cart holds, a hold and a sale of the
-- admin's; with 12, the rest taken from the newest holds, each a take of the session's. Its reply is a
-- SaleResult.
local sku, quantity, expected, takeFromHolds = ARGV[8], tonumber(ARGV[9]), ARGV[11], ARGV[12] == '1'
local p, problem = known(sku)
if not p then return problem end
local conflict = unexpected(p.onHand, expected)
if conflict then return finish(conflict) end
local free = math.max(0, p.onHand - p.held)
local most = takeFromHolds and p.onHand or free
if quantity > most then return finish({ ok = false, error = 'insufficient_stock', available = most }) end
local who = by('admin', { reason = ARGV[10] })
local fromFree = math.min(quantity, free)
if fromFree > 0 then
  move(p, 'hold', fromFree, who)
  move(p, 'sale', -fromFree, who)
end
local left = quantity - fromFree
if left > 0 then
  -- The held lines, newest first as Stockroom's newestFirst: by when the hold ends, one that never lapses the
  -- newest, then by session, last first.
  local held = {}
  for _, session in ipairs(redis.call('HKEYS', linesKey(sku))) do
    local line = lineOf(sku, session)
    line.session, line.order = session, line.ends or math.huge
    held[#held + 1] = line
  end
  table.sort(held, function(a, b)
    if a.order ~= b.order then return a.order > b.order end
    return a.session > b.session
  end)
  for _, line in ipairs(held) do
    if left == 0 then break end
    local taken = math.min(line.quantity, left)
    if taken == line.quantity then
      dropLine(sku, line.session)
    else
      putLine(sku, line.session, line.quantity - taken, line.ends, false, line.address)
    end
    move(p, 'take', -taken, by(line.session, { reason = ARGV[10] }))
    left = left - taken
  end
  p.holdsTakenAt = p.version
  touch(p)
end
settle()
return finish({ ok = true, product = latest(p) })
