-- ARGV 4 the replication id of the master this runs on, 5 a fresh epoch.
--
-- A master other than the one that last took the catalog on (a replica promoted by a failover, or a server
-- restarted from its files) may lack the last changes the other acknowledged: they were not yet copied, or
-- not yet on disk. Versions given out before would then be given out again, for other stock, and a client
-- holding one would never hear of it. So the catalog goes on in a new epoch, from which every client reads
-- the stock afresh, and the reset is published. Answers `ok` and `renewed`, or `kept` for the master that
-- took it on; the first master to meet it just takes it on.
local master = redis.call('GET', KEYS[9])
if master == ARGV[4] then return { 'ok', 'kept' } end
redis.call('SET', KEYS[9], ARGV[4])
if not master then return { 'ok', 'kept' } end
redis.call('SET', KEYS[1], ARGV[5])
redis.call('SPUBLISH', channel, cjson.encode({ epoch = ARGV[5], version = version, reset = true }))
return { 'ok', 'renewed' }
