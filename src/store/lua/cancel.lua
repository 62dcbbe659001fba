-- ARGV 8 order id. Cancels an order as Stockroom.cancelOrder. Its reply is a CancelResult.
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
