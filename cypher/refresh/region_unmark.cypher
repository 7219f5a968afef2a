// Take the $keys parties out of one closure version: their marks (both bounds) and their Verdict nodes.
UNWIND $keys AS k
MATCH (p:Party {key: k})
SET p.marks = [m IN coalesce(p.marks, []) WHERE NOT m STARTS WITH $version + '#']
WITH p
OPTIONAL MATCH (v:Verdict {key: $version + '|' + p.key})
DETACH DELETE v
RETURN count(DISTINCT p) AS done
