// Make a finished closure version the current one of its policy (one write: readers switch atomically),
// unless a write to the graph is under way (a token on the writers node other than $token, once the dead
// ones are dropped): then it is kept withdrawn and dirty, and the last writer rebuilds it. The policy's
// full definition is kept beside it, so a later write can recompute a closure of a policy file.
MERGE (g:Meta {name: 'writers'})
SET g.locked = true
WITH g, [t IN coalesce(g.tokens, []) WHERE NOT t IN $dead] AS live
SET g.tokens = live
REMOVE g.locked
WITH size([t IN live WHERE t <> coalesce($token, '')]) = 0 AS free
MERGE (m:Meta {name: 'closure:' + $policy})
SET m.version = CASE WHEN free THEN $version END, m.withdrawn = CASE WHEN free THEN null ELSE $version END,
    m.dirty = CASE WHEN free THEN null ELSE true END,
    m.policy_hash = $policy_hash, m.definition = $definition, m.as_of = $as_of, m.computed_at = datetime(),
    m.restricted = $restricted, m.indeterminate = $indeterminate, m.rounds = $rounds
RETURN free AS shown
