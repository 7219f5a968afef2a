// Write re-encoded share ends ($rows: id, lo, hi) onto source statements.
UNWIND $rows AS row
MATCH (pv:Provenance)
WHERE elementId(pv) = row.id
SET pv.lo = row.lo, pv.hi = row.hi
