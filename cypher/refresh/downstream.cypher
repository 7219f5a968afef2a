// One step down from the $frontier parties along counted interests in force on $as_of: the region of an
// incremental recompute grows by the parties these hold (the holder comes along, to trace causes).
UNWIND $frontier AS k
MATCH (:Party {key: k})-[s:INTEREST]->(y:Party)
WHERE s.counted AND y.key <> k
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
RETURN DISTINCT k AS holder, y.key AS key
