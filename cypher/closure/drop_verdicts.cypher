// Take one closure version out of the graph, a batch at a time (run until it returns 0): its Verdict
// nodes, and the marks of both bounds on their parties (a party is marked in the same transaction that
// writes its Verdict node, so every mark of the version is found through one).
MATCH (v:Verdict {policy: $version})
WITH v LIMIT $limit
OPTIONAL MATCH (p:Party {key: v.party})
SET p.marks = [m IN coalesce(p.marks, []) WHERE NOT m STARTS WITH $version + '#']
DETACH DELETE v
RETURN count(*) AS done
