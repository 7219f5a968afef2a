// The interest each stake group of a source was written to (owner, owned, type, start, declaration as
// the load keys it), with its owned party; groups whose parties are unknown return nothing.
UNWIND $rows AS row
CALL (row) {
  MATCH (:Identifier {id: row.owner})-[:IDENTIFIES]->(o:Party)
  RETURN o ORDER BY o.key LIMIT 1
}
CALL (row) {
  MATCH (:Identifier {id: row.owned})-[:IDENTIFIES]->(y:Party)
  RETURN y ORDER BY y.key LIMIT 1
}
WITH row, o, y, o.key + '|' + y.key + '|' + row.type + '|' + coalesce(toString(row.start), '') + '|' +
     coalesce(row.declares, '') AS key
MATCH (o)-[s:INTEREST {key: key}]->(y)
RETURN row.rkey AS rkey, s.key AS interest, y.key AS owned
