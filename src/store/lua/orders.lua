-- ARGV 4 the status ('' for any), 5 from, 6 to (ms; the orders made in [from, to)), 7 the id of the order to
-- go on after ('' for none), 8 how many at most. Answers `ok` and, as JSON, a page of the orders, oldest
-- first: `P orders` keeps their ids scored by when they were made, so that ties fall in the order of their
-- ids, as in the other stores. An id it does not have gives none.
local status, from, to, after, limit = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
local function page(found) return { 'ok', '[' .. table.concat(found, ',') .. ']' } end
local start
if after ~= '' then
  local rank = redis.call('ZRANK', ORDERS, after)
  if not rank then return page({}) end
  start = rank + 1
else
  start = redis.call('ZCOUNT', ORDERS, '-inf', '(' .. from)
end
local found = {}
while #found < limit do
  local batch = redis.call('ZRANGE', ORDERS, start, start + 99, 'WITHSCORES')
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local at = tonumber(batch[i + 1])
    if at >= to then return page(found) end
    local body = at >= from and redis.call('GET', orderKey(batch[i]))
    if body and (status == '' or cjson.decode(body).status == status) then
      found[#found + 1] = body
      if #found == limit then break end
    end
  end
  start = start + 100
end
return page(found)
