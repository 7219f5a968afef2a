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
// A stake created by this row, and stated by no other row of the batch, has this row's statement as its
// only one (a stake's Provenance records are written with it, in one transaction): its values are set here.
MERGE (o)-[s:INTEREST {key: stake}]->(y)
  ON CREATE SET s.type = row.type, s.start = row.start, s.declares = row.declares, s.created_seq = row.seq,
                s.lo = row.lo, s.hi = row.hi, s.share_min = row.share_min, s.share_max = row.share_max,
                s.min_open = row.min_open, s.max_open = row.max_open, s.end = row.end,
                s.counted = row.counted, s.statement_date = row.statement_date, s.components = row.components,
                s.sources = [row.source], s.records = [row.record]
// The values of any other stake come from its latest statement, worked out once per stake of the batch
// (not once per row: a file restating one stake 10,000 times would read its statements 10,000 times over).
WITH s, stake, collect({i: row.i, created: s.created_seq = row.seq}) AS rows
WITH s, rows, CASE WHEN size(rows) > 1 OR NOT rows[0].created THEN [stake] ELSE [] END AS again
CALL (s, again) {
  UNWIND again AS k
  MATCH (pv:Provenance {stake: k})
  WITH s, pv ORDER BY coalesce(pv.statement_date, date('0001-01-01')) DESC, pv.seq DESC
  WITH s, collect(pv) AS pvs
  WITH s, pvs, pvs[0] AS top
  SET s.lo = top.lo, s.hi = top.hi, s.share_min = top.share_min, s.share_max = top.share_max,
      s.min_open = top.min_open, s.max_open = top.max_open, s.end = top.end,
      s.counted = top.counted, s.statement_date = top.statement_date, s.components = top.components,
      s.sources = [x IN pvs | x.source], s.records = [x IN pvs | x.record]
}
// One row for the batch: how many rows were written and how many created their stake, the owned parties, and
// (only when some rows named an unknown party) the indexes of the rows written, per stake.
WITH endNode(s).key AS owned, rows
RETURN sum(size(rows)) AS written, sum(size([r IN rows WHERE r.created])) AS created,
       collect(DISTINCT owned) AS owned,
       CASE WHEN sum(size(rows)) < size($rows) THEN collect([r IN rows | r.i]) END AS indexes
