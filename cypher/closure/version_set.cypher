// Make a finished closure version the current one of its policy (one write: readers switch atomically).
MERGE (m:Meta {name: 'closure:' + $policy})
SET m.version = $version, m.policy_hash = $policy_hash, m.as_of = $as_of, m.computed_at = datetime(),
    m.restricted = $restricted, m.indeterminate = $indeterminate, m.rounds = $rounds
