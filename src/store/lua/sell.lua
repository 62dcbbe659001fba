-- ARGV 8 sku, 9 quantity, 10 reason, 11 the onHand the caller expects ('' for any). Sells units made elsewhere
-- as Stockroom.sell: out of what no cart holds, a hold and a sale of the admin's. Its reply is a SaleResult.
local sku, quantity, expected = ARGV[8], tonumber(ARGV[9]), ARGV[11]
local p, problem = known(sku)
if not p then return problem end
local conflict = unexpected(p.onHand, expected)
if conflict then return finish(conflict) end
local available = math.max(0, p.onHand - p.held)
if quantity > available then return finish({ ok = false, error = 'insufficient_stock', available = available }) end
local who = by('admin', { reason = ARGV[10] })
move(p, 'hold', quantity, who)
move(p, 'sale', -quantity, who)
return finish({ ok = true, product = p })
