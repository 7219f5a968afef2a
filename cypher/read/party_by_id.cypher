// The parties an id names: a party key, a full identifier (scheme:value), or a bare identifier value.
CALL () {
  MATCH (p:Party {key: $id}) RETURN p
  UNION
  MATCH (:Identifier {id: $id})-[:IDENTIFIES]->(p:Party) RETURN p
  UNION
  MATCH (:Identifier {value: $id})-[:IDENTIFIES]->(p:Party) RETURN p
}
RETURN DISTINCT p.key AS key, p.name AS name, p.kind AS kind, p.country AS country
ORDER BY key
LIMIT 20
