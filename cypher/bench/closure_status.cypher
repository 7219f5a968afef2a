// Benchmarks only: the parties a policy's materialised closure does not find clear (restricted: a sure
// round; indeterminate: a possible round only), for benchmarks/api_wrk.py to split the party ids it asks
// for by their materialised verdict (every other party is clear).
MATCH (m:Meta {name: 'closure:' + $policy})
MATCH (v:Verdict {policy: m.version})
WHERE v.sure_round IS NOT NULL OR v.possible_round IS NOT NULL
RETURN v.party AS key, CASE WHEN v.sure_round IS NOT NULL THEN 'restricted' ELSE 'indeterminate' END AS status
ORDER BY key
