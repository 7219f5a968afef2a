// A source now says these parties are on these lists: a membership from $date unless one is open.
UNWIND $rows AS row
CALL (row) {
  MATCH (:Identifier {id: row.id})-[:IDENTIFIES]->(p:Party)
  RETURN p ORDER BY p.key LIMIT 1
}
UNWIND row.lists AS name
MERGE (l:List {name: name})
WITH p, l, name
CALL (p, l) {
  OPTIONAL MATCH (p)-[open:LISTED]->(l) WHERE open.end IS NULL
  WITH count(open) AS open
  FOREACH (_ IN CASE WHEN open = 0 THEN [1] ELSE [] END |
    CREATE (p)-[:LISTED {start: $date, source: $source}]->(l))
}
SET p.lists = CASE WHEN name IN coalesce(p.lists, []) THEN p.lists ELSE coalesce(p.lists, []) + name END
RETURN p.key AS key, name
