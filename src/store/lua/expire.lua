-- ARGV 8 how many lines to lapse or forget at most, 9 the instant before which lapsed lines are forgotten.
-- Lapses the held lines whose hold ends at or before now, their units back to stock, each an `expire` of its
-- session, all one change; forgets lapsed lines that lapsed before ARGV 9. Run by every process, it lapses
-- each hold once, since the first run removes what the others would. Answers `ok` and how many lines it
-- lapsed or forgot, whichever is more.
local batch = tonumber(ARGV[8])
local ended = redis.call('ZRANGEBYSCORE', EXPIRIES, '-inf', now, 'WITHSCORES', 'LIMIT', 0, batch)
for i = 1, #ended, 2 do
  local member = ended[i]
  local bar = string.find(member, '|', 1, true)
  local sku, session = string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
  local line, p = lineOf(sku, session), product(sku)
  if line and p then
    putLine(sku, session, line.quantity, tonumber(ended[i + 1]), true, line.address)
    move(p, 'expire', -line.quantity, by(session))
  else
    redis.call('ZREM', EXPIRIES, member)
  end
end
local forgotten = redis.call('ZRANGEBYSCORE', LAPSES, '-inf', ARGV[9], 'LIMIT', 0, batch)
for _, member in ipairs(forgotten) do
  local bar = string.find(member, '|', 1, true)
  dropLine(string.sub(member, 1, bar - 1), string.sub(member, bar + 1))
end
publish()
return { 'ok', math.max(#ended / 2, #forgotten) }
