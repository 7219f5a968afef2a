// The state of a policy's materialised closure, for readers: the version they see (null while it is
// withdrawn: `withdrawn` during a write, `updating` during a recompute, `dirty` when a write failed), the
// policy hash and date it was built for, when, and its counts.
OPTIONAL MATCH (m:Meta {name: 'closure:' + $policy})
RETURN m IS NOT NULL AS exists, m.version AS version, m.policy_hash AS policy_hash, m.as_of AS as_of,
       m.computed_at AS computed_at, m.restricted AS restricted, m.indeterminate AS indeterminate,
       m.rounds AS rounds, m.withdrawn AS withdrawn, m.updating AS updating, coalesce(m.dirty, false) AS dirty
