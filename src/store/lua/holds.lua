-- ARGV 4 sku. Answers `ok` and, as JSON, every line of the product, held or lapsed: session, units, end,
-- whether it lapsed, address.
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
