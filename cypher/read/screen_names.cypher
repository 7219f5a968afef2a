// The party_names fulltext hits of each of $queries ({row, query}), as api/search_names does for one
// query; the queries are values built from escaped name tokens, never part of this text.
UNWIND $queries AS q
CALL (q) {
  CALL db.index.fulltext.queryNodes('party_names', q.query, {limit: $limit}) YIELD node, score
  RETURN node, score
}
RETURN q.row AS row, node.key AS key, node.name AS name, node.kind AS kind, node.country AS country,
       coalesce(node.lists, []) AS lists, score
