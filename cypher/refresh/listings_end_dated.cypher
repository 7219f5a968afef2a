// A source no longer states these dated memberships (party, list and start): one still running on $date
// ends then; one that has ended, or starts later, is left as it is.
UNWIND $rows AS row
CALL (row) {
  MATCH (:Identifier {id: row.id})-[:IDENTIFIES]->(p:Party)
  RETURN p ORDER BY p.key LIMIT 1
}
MATCH (p)-[l:LISTED]->(:List {name: row.name})
WHERE (l.start = row.start OR (l.start IS NULL AND row.start IS NULL))
  AND (l.start IS NULL OR l.start < $date) AND (l.end IS NULL OR l.end > $date)
SET l.end = $date, l.ended_by = $run
RETURN DISTINCT p.key AS key, row.name AS name
