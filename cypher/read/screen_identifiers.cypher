// The parties each of $queries ({row, i, form}) names, as api/search_identifiers does for one form: a
// party key, a full identifier (scheme:value) or a bare identifier value; at most $limit per query.
UNWIND $queries AS q
CALL (q) {
  CALL (q) {
    MATCH (p:Party {key: q.form}) RETURN p, p.key AS matched
    UNION
    MATCH (i:Identifier {id: q.form})-[:IDENTIFIES]->(p:Party) RETURN p, i.id AS matched
    UNION
    MATCH (i:Identifier {value: q.form})-[:IDENTIFIES]->(p:Party) RETURN p, i.id AS matched
  }
  WITH p, min(matched) AS matched
  ORDER BY p.key
  LIMIT $limit
  RETURN p, matched
}
RETURN q.row AS row, q.i AS i, p.key AS key, p.name AS name, p.kind AS kind, p.country AS country,
       coalesce(p.lists, []) AS lists, matched
