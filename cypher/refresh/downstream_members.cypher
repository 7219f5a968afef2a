// One step down from the $frontier parties along counted interests in force on $as_of, to parties that
// carry the closure mark $mark: the members whose standing may rest on what changed (the holder comes
// along, to trace causes). Parties outside the closure can only gain from a change; the rounds find them.
UNWIND $frontier AS k
MATCH (:Party {key: k})-[s:INTEREST]->(y:Party)
WHERE s.counted AND y.key <> k AND $mark IN coalesce(y.marks, [])
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
RETURN DISTINCT k AS holder, y.key AS key
