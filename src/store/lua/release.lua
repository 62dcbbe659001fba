-- ARGV 8 sku, 9 session. Lets go one session's line as Stockroom.releaseHold. Its reply is a ReleaseResult.
local sku, session = ARGV[8], ARGV[9]
local p, problem = known(sku)
if not p then return problem end
local line = lineOf(sku, session)
if not line then return finish({ ok = false, error = 'no_hold' }) end
dropLine(sku, session)
local released = line.lapsed and 0 or line.quantity
if released > 0 then move(p, 'release', -released, by('admin')) end
settle()
return finish({ ok = true, released = released, product = latest(p) })
