// The materialised closure of a policy as the refresh sees it: the current version (or the one withdrawn
// while the graph is written), or the version being updated when an update was interrupted; `dirty` when
// a write whose changes are not known happened since (it is then rebuilt in full).
OPTIONAL MATCH (m:Meta {name: 'closure:' + $policy})
RETURN coalesce(m.version, m.withdrawn) AS version, m.version IS NOT NULL AS visible, m.dirty AS dirty,
       m.updating AS updating, m.policy_hash AS policy_hash, m.as_of AS as_of,
       m.restricted AS restricted, m.indeterminate AS indeterminate, m.rounds AS rounds
