-- ARGV 4 and on: the SKUs to read, or none for every product. Answers `ok` and, as JSON, the epoch, the
-- version, the ledger's last seq and the products; or `unknown` and the first SKU the catalog lacks.
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
