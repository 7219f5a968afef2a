// The parties directly held (counted interests in force on $as_of) by the $frontier parties that do
// not carry the closure mark yet: the candidates of the next round of a materialised closure.
UNWIND $frontier AS k
MATCH (:Party {key: k})-[s:INTEREST]->(y:Party)
WHERE s.counted AND NOT $mark IN coalesce(y.marks, [])
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
RETURN DISTINCT y.key AS key
