// Before the stored shares are re-encoded (a schema upgrade): every materialised closure was computed on the
// old integers, so each is withdrawn from readers (they evaluate on demand) and marked dirty: the next write
// or `ownergraph closure` rebuilds it in full.
OPTIONAL MATCH (m:Meta) WHERE m.name STARTS WITH 'closure:'
SET m.dirty = true, m.withdrawn = coalesce(m.version, m.withdrawn), m.version = null
RETURN count(m) AS withdrawn
