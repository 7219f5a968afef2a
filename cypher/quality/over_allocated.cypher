// Parties whose owners' counted shareholdings in force on $as_of add up to more than 100%, by the
// lower ends of their shares (integer-encoded, graph/share.py, so the sum is exact and an exclusive
// end counts). $limit is 100% encoded. A party's holding in itself is left out. The largest first.
MATCH (o:Party)-[s:INTEREST]->(y:Party)
WHERE s.counted AND s.type = 'shareholding' AND o <> y
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
WITH y, sum(s.lo) AS total, count(DISTINCT o) AS owners
WHERE total > $limit
WITH y, total, owners ORDER BY total DESC, y.key
RETURN count(y) AS parties,
       collect({key: y.key, name: y.name, total: total, owners: owners})[..$examples] AS examples
