// Parties holding a counted interest in themselves (treasury shares) in force on $as_of.
MATCH (p:Party)-[s:INTEREST]->(p)
WHERE s.counted
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
WITH DISTINCT p ORDER BY p.key
RETURN count(p) AS parties, collect({key: p.key, name: p.name})[..$examples] AS examples
