// Note the record groups a source no longer reports, keeping what it said last (never deleted).
UNWIND $rkeys AS rkey
MATCH (r:SourceRecord {key: $source + '|' + rkey})
SET r.gone = $date, r.run = $run
RETURN count(r) AS written
