// Parties named by any of $ids: a party key, a full identifier (scheme:value) or a bare identifier value.
UNWIND $ids AS q
CALL (q) {
  MATCH (p:Party {key: q}) RETURN p, p.key AS matched
  UNION
  MATCH (i:Identifier {id: q})-[:IDENTIFIES]->(p:Party) RETURN p, i.id AS matched
  UNION
  MATCH (i:Identifier {value: q})-[:IDENTIFIES]->(p:Party) RETURN p, i.id AS matched
}
WITH p, min(matched) AS matched
RETURN p.key AS key, p.name AS name, p.kind AS kind, p.country AS country,
       coalesce(p.lists, []) AS lists, matched
ORDER BY key
LIMIT $limit
