// A source no longer says these parties are on these lists: their open memberships end on $date.
UNWIND $rows AS row
CALL (row) {
  MATCH (:Identifier {id: row.id})-[:IDENTIFIES]->(p:Party)
  RETURN p ORDER BY p.key LIMIT 1
}
UNWIND row.lists AS name
MATCH (p)-[l:LISTED]->(:List {name: name})
WHERE l.end IS NULL AND (l.start IS NULL OR l.start < $date)
SET l.end = $date, l.ended_by = $run
SET p.lists = [x IN coalesce(p.lists, []) WHERE x <> name]
RETURN DISTINCT p.key AS key, name
