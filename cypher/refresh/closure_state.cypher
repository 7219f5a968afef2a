// The materialised closure of a policy as the refresh sees it: the current version, or the version being
// updated when an update was interrupted.
OPTIONAL MATCH (m:Meta {name: 'closure:' + $policy})
RETURN m.version AS version, m.updating AS updating, m.policy_hash AS policy_hash, m.as_of AS as_of,
       m.restricted AS restricted, m.indeterminate AS indeterminate, m.rounds AS rounds
