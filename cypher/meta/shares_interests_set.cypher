// Write re-encoded share ends ($rows: id, lo, hi) onto interests.
UNWIND $rows AS row
MATCH ()-[s:INTEREST]->()
WHERE elementId(s) = row.id
SET s.lo = row.lo, s.hi = row.hi
