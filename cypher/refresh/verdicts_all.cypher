// Every materialised standing of one closure version, a page at a time (by party key, after $after).
MATCH (v:Verdict {policy: $version})
WHERE v.party > $after
RETURN v.party AS key, v.sure_round AS sure_round, v.possible_round AS possible_round,
       coalesce(v.sure_witness, []) AS sure_witness, coalesce(v.possible_witness, []) AS possible_witness
ORDER BY v.party
LIMIT $limit
