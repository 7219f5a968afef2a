// A source reports these parties again: clear its absence mark.
UNWIND $ids AS id
CALL (id) {
  MATCH (:Identifier {id: id})-[:IDENTIFIES]->(p:Party)
  RETURN p ORDER BY p.key LIMIT 1
}
WITH p WHERE any(x IN coalesce(p.absent_from, []) WHERE x STARTS WITH $source + '@')
SET p.absent_from = [x IN p.absent_from WHERE NOT x STARTS WITH $source + '@']
RETURN p.key AS key
