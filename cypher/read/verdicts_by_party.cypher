// Materialised standings of some parties in one closure version.
UNWIND $keys AS k
MATCH (v:Verdict {key: $version + '|' + k})
RETURN v.party AS key, v.seed AS seed, v.sure_round AS sure_round, v.possible_round AS possible_round,
       v.sure_reason AS sure_reason, v.possible_reason AS possible_reason,
       coalesce(v.sure_witness, []) AS sure_witness, coalesce(v.possible_witness, []) AS possible_witness
