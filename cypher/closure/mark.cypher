// Record that parties entered a materialised closure: the mark used by later rounds, and the Verdict
// node (one per policy version and party) that a verdict read finds with one index lookup.
UNWIND $rows AS row
MATCH (p:Party {key: row.key})
SET p.marks = CASE WHEN $mark IN coalesce(p.marks, []) THEN p.marks ELSE coalesce(p.marks, []) + $mark END
MERGE (v:Verdict {key: $version + '|' + row.key})
  ON CREATE SET v.policy = $version, v.party = row.key
SET v += row.fields
