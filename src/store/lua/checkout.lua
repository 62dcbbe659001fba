-- ARGV 8 session, 9 the new order's id. Sells every line of the session's cart as Stockroom.checkout: all or
-- none, a lapsed line held again and sold if its units are still there. Its reply is a CheckoutResult.
local session, id = ARGV[8], ARGV[9]
local lines = linesOf(session)
if #lines == 0 then return finish({ ok = false, error = 'cart_empty' }) end
local products, short = {}, {}
for _, line in ipairs(lines) do
  local p = product(line.sku)
  if not p then return { 'lost' } end
  products[line.sku] = p
  local available = math.max(0, p.onHand - p.held)
  if line.lapsed and line.quantity > available then
    short[#short + 1] = { sku = line.sku, quantity = line.quantity, available = available }
  end
end
if #short > 0 then return finish({ ok = false, error = 'insufficient_stock', lines = short }) end
local who = by(session, { orderId = id })
local sold = {}
for _, line in ipairs(lines) do
  local p = products[line.sku]
  if line.lapsed then move(p, 'hold', line.quantity, who) end
  move(p, 'sale', -line.quantity, who)
  dropLine(line.sku, session)
  sold[#sold + 1] = { sku = line.sku, name = p.name, quantity = line.quantity }
end
local order = { id = id, session = session, lines = sold, createdAt = now, status = 'placed' }
redis.call('SET', orderKey(id), cjson.encode(order))
redis.call('ZADD', ORDERS, now, id)
return finish({ ok = true, order = order })
