-- ARGV 8 sku, 9 1 to archive it, 0 to sell it again. As Stockroom.archive: archived, a product takes no new
-- holds; archiving one already archived changes nothing. Its reply is an ArchiveResult.
local sku, archived = ARGV[8], ARGV[9] == '1'
local p, problem = known(sku)
if not p then return problem end
if (p.archived or false) ~= archived then
  p.archived = archived or nil
  touch(p)
end
return finish({ ok = true, product = latest(p) })
