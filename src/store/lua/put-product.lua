-- ARGV 8 sku, 9 name, 10 onHand, 11 the onHand the caller expects ('' for any). Creates or replaces a product
-- as Stockroom.putProduct. Its reply is a PutResult.
local sku, name, onHand, expected = ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11]
local existing = product(sku)
if placeOf(sku) and not existing then return { 'lost' } end
local conflict = unexpected(existing and existing.onHand or 0, expected)
if conflict then return finish(conflict) end
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
