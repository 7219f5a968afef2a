// Mark parties a source no longer reports ("source@date" in absent_from); the party and its history stay.
UNWIND $ids AS id
CALL (id) {
  MATCH (:Identifier {id: id})-[:IDENTIFIES]->(p:Party)
  RETURN p ORDER BY p.key LIMIT 1
}
SET p.absent_from = [x IN coalesce(p.absent_from, []) WHERE NOT x STARTS WITH $source + '@']
                    + ($source + '@' + toString($date))
RETURN p.key AS key
