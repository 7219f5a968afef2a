// Give a closure version back to readers, as of its new date, with its new counts (one write).
MERGE (m:Meta {name: 'closure:' + $policy})
SET m.version = $version, m.updating = null, m.policy_hash = $policy_hash, m.as_of = $as_of,
    m.computed_at = datetime(), m.restricted = $restricted, m.indeterminate = $indeterminate,
    m.rounds = $rounds
