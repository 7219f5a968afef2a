// What a database holds besides the schema version and the writers' register, and the writes under way:
// the bulk path imports into an empty database only.
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () {
  OPTIONAL MATCH (n) WHERE NOT (n:Meta AND n.name IN ['schema', 'writers'])
  WITH n LIMIT 1
  RETURN CASE WHEN n IS NULL THEN null ELSE labels(n) END AS example
}
CALL () { OPTIONAL MATCH (g:Meta {name: 'writers'}) RETURN coalesce(g.tokens, []) AS writers }
RETURN nodes, example, writers
