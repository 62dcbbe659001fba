-- ARGV 8 sku, 9 delta, 10 reason, 11 the onHand the caller expects ('' for any). Moves onHand as
-- Stockroom.adjust. Its reply is an AdjustResult.
local sku, delta, expected = ARGV[8], tonumber(ARGV[9]), ARGV[11]
local p, problem = known(sku)
if not p then return problem end
local conflict = unexpected(p.onHand, expected)
if conflict then return finish(conflict) end
if p.onHand + delta < p.held then return finish({ ok = false, error = 'below_held', held = p.held }) end
local tooMany = aboveLimit(p, p.onHand + delta)
if tooMany then return finish(tooMany) end
if delta ~= 0 then move(p, delta > 0 and 'restock' or 'adjust', delta, by('admin', { reason = ARGV[10] })) end
return finish({ ok = true, product = p })
