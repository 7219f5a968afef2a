// Before a write to the graph: register the writer and withdraw every materialised closure from readers
// (they evaluate on demand) in one transaction. A closure withdrawn while another write was under way, or
// left withdrawn by a write that died ($dead), is marked dirty: the roots of those writes are not known,
// so it is rebuilt in full, not recomputed incrementally. The writers node is locked first, always.
MERGE (g:Meta {name: 'writers'})
SET g.locked = true
WITH g, coalesce(g.tokens, []) AS before
SET g.tokens = [t IN before WHERE NOT t IN $dead AND t <> $token] + [$token]
REMOVE g.locked
WITH before
OPTIONAL MATCH (m:Meta) WHERE m.name STARTS WITH 'closure:'
SET m.dirty = CASE WHEN m.dirty OR size(before) > 0 THEN true END,
    m.withdrawn = coalesce(m.version, m.withdrawn),
    m.version = null
RETURN count(m) AS withdrawn
