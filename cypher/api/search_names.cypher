// Parties whose names match a Lucene query on the party_names fulltext index, best first.
// $query is built from normalised, escaped name tokens; it is a value, never part of this text.
CALL db.index.fulltext.queryNodes('party_names', $query, {limit: $limit}) YIELD node, score
RETURN node.key AS key, node.name AS name, node.kind AS kind, node.country AS country,
       coalesce(node.lists, []) AS lists, score
ORDER BY score DESC, key
