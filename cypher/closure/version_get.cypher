// The current materialised closure of a policy: version, policy hash, date, counts. `version` is null
// while the closure is withdrawn from readers (`withdrawn` during a write, `updating` during a recompute).
OPTIONAL MATCH (m:Meta {name: 'closure:' + $policy})
RETURN m.version AS version, m.policy_hash AS policy_hash, m.as_of AS as_of, m.computed_at AS computed_at,
       m.restricted AS restricted, m.indeterminate AS indeterminate, m.rounds AS rounds,
       m.withdrawn AS withdrawn, m.updating AS updating
