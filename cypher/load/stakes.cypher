// One row per source record about an interest. Both parties must already be known (by any
// identifier); rows naming an unknown party return nothing and are rejected by the caller.
// The stake (owner, owned, type, start, declaration) is one INTEREST relationship; each source
// record is a Provenance node, and the relationship carries the values of the most recent statement.
UNWIND $rows AS row
CALL (row) {
  MATCH (:Identifier {id: row.owner})-[:IDENTIFIES]->(o:Party)
  RETURN o ORDER BY o.key LIMIT 1
}
CALL (row) {
  MATCH (:Identifier {id: row.owned})-[:IDENTIFIES]->(y:Party)
  RETURN y ORDER BY y.key LIMIT 1
}
WITH row, o, y,
     o.key + '|' + y.key + '|' + row.type + '|' + coalesce(toString(row.start), '') + '|' +
     coalesce(row.declares, '') AS stake
MERGE (pv:Provenance {key: stake + '|' + row.source + '|' + row.record})
  ON CREATE SET pv.created_at = datetime()
SET pv.stake = stake, pv.source = row.source, pv.record = row.record,
    pv.statement_date = row.statement_date, pv.url = row.url, pv.lo = row.lo, pv.hi = row.hi,
    pv.share_min = row.share_min, pv.share_max = row.share_max,
    pv.min_open = row.min_open, pv.max_open = row.max_open,
    pv.start = row.start, pv.end = row.end, pv.counted = row.counted, pv.declares = row.declares, pv.components = row.components,
    pv.loaded_at = datetime(), pv.seq = row.seq
MERGE (o)-[s:INTEREST {key: stake}]->(y)
  ON CREATE SET s.type = row.type, s.start = row.start, s.declares = row.declares, s.created_seq = row.seq
WITH DISTINCT row, s, stake, s.created_seq = row.seq AS created
// The stake's values come from its latest statement, worked out once per stake of the batch (not once per
// row: a file restating one stake 10,000 times would read its statements 10,000 times over).
WITH s, stake, collect({i: row.i, created: created}) AS rows
CALL (s, stake) {
  MATCH (pv:Provenance {stake: stake})
  WITH pv ORDER BY coalesce(pv.statement_date, date('0001-01-01')) DESC, pv.seq DESC
  WITH collect(pv) AS pvs
  WITH pvs, pvs[0] AS top
  SET s.lo = top.lo, s.hi = top.hi, s.share_min = top.share_min, s.share_max = top.share_max,
      s.min_open = top.min_open, s.max_open = top.max_open, s.end = top.end,
      s.counted = top.counted, s.statement_date = top.statement_date, s.components = top.components,
      s.sources = [x IN pvs | x.source], s.records = [x IN pvs | x.record]
}
UNWIND rows AS row
WITH row, s, row.created AS created
RETURN row.i AS i, created, endNode(s).key AS owned
