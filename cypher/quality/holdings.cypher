// The counted interests in force on $as_of between two different parties that can lie on an ownership
// cycle (the owner has an owner and the owned party holds something), one row per owner.
MATCH (o:Party)-[s:INTEREST]->(y:Party)
WHERE s.counted AND o <> y
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
  AND EXISTS { ()-[:INTEREST]->(o) } AND EXISTS { (y)-[:INTEREST]->() }
RETURN o.key AS owner, collect(DISTINCT y.key) AS owned
