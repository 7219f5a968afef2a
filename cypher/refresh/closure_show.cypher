// Give a closure version back to readers, as of its new date, with its new counts (one write), unless a
// write to the graph other than $token is under way: then it stays withdrawn, marked dirty (rebuilt in
// full by the last writer). The writers node is locked first, so a write that begins meanwhile either
// sees this closure shown (and withdraws it) or is seen here.
MERGE (g:Meta {name: 'writers'})
SET g.locked = true
WITH g, [t IN coalesce(g.tokens, []) WHERE NOT t IN $dead] AS live
SET g.tokens = live
REMOVE g.locked
WITH size([t IN live WHERE t <> coalesce($token, '')]) = 0 AS free
MERGE (m:Meta {name: 'closure:' + $policy})
SET m.version = CASE WHEN free THEN $version END, m.withdrawn = CASE WHEN free THEN null ELSE $version END,
    m.dirty = CASE WHEN free THEN null ELSE true END,
    m.updating = null, m.policy_hash = $policy_hash, m.as_of = $as_of,
    m.computed_at = datetime(), m.restricted = $restricted, m.indeterminate = $indeterminate,
    m.rounds = $rounds
RETURN free AS shown
