-- ARGV 4 session. Answers `ok` and, as JSON, the epoch, the version and the session's lines in catalog
-- order, each with its product.
local lines = {}
for _, line in ipairs(linesOf(ARGV[4])) do
  local p = product(line.sku)
  if p then
    lines[#lines + 1] = { sku = line.sku, quantity = line.quantity, ends = line.ends or cjson.null, lapsed = line.lapsed, product = p }
  end
end
return { 'ok', cjson.encode({ epoch = epoch, version = version, lines = lines }) }
