// End interests a source stopped reporting (or replaced by a new period) on the snapshot date: a
// Provenance record of the source, dated that day, says so, with the last values stated; the interest
// takes the values of its most recent statement again, as a load does. Nothing is deleted. Interests
// already ended by then are left as they are.
UNWIND $keys AS k
MATCH ()-[s:INTEREST {key: k}]->(y:Party)
WHERE s.end IS NULL OR s.end > $date
MERGE (pv:Provenance {key: k + '|' + $source + '|ended@' + toString($date)})
  ON CREATE SET pv.created_at = datetime()
SET pv.stake = k, pv.source = $source, pv.record = 'absent from the snapshot of ' + toString($date),
    pv.statement_date = $date, pv.lo = s.lo, pv.hi = s.hi, pv.share_min = s.share_min,
    pv.share_max = s.share_max, pv.min_open = s.min_open, pv.max_open = s.max_open, pv.start = s.start,
    pv.end = $date, pv.counted = s.counted, pv.declares = s.declares, pv.components = s.components,
    pv.loaded_at = datetime(), pv.seq = $seq, pv.ended_by = $run
WITH s, k, y
CALL (s, k) {
  MATCH (pv:Provenance {stake: k})
  WITH pv ORDER BY coalesce(pv.statement_date, date('0001-01-01')) DESC, pv.seq DESC
  WITH collect(pv) AS pvs
  WITH pvs, pvs[0] AS top
  SET s.lo = top.lo, s.hi = top.hi, s.share_min = top.share_min, s.share_max = top.share_max,
      s.min_open = top.min_open, s.max_open = top.max_open, s.end = top.end,
      s.counted = top.counted, s.statement_date = top.statement_date, s.components = top.components,
      s.sources = [x IN pvs | x.source], s.records = [x IN pvs | x.record]
}
RETURN k AS interest, y.key AS owned
