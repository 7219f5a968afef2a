// The party each identifier names (the first by key when several do).
UNWIND $ids AS id
CALL (id) {
  MATCH (:Identifier {id: id})-[:IDENTIFIES]->(p:Party)
  RETURN p ORDER BY p.key LIMIT 1
}
RETURN id, p.key AS key
