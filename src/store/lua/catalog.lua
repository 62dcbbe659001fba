-- Reads the catalog's keys, answering `lost` when the catalog is not whole.
local epoch = redis.call('GET', KEYS[1])
local version = tonumber(redis.call('GET', KEYS[2]))
if not epoch or not version or redis.call('EXISTS', KEYS[3]) == 0 then return { 'lost' } end
