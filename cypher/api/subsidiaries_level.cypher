// One level down: the interests the $frontier parties hold (only those in force on $as_of when it is
// given), each with the party held and every source record. At most $cap rows.
UNWIND $frontier AS k
MATCH (o:Party {key: k})-[s:INTEREST]->(y:Party)
WHERE o <> y
  AND ($as_of IS NULL OR ((s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)))
CALL (s) {
  // every source record of the stake, latest statement first, with the values it stated
  OPTIONAL MATCH (pv:Provenance {stake: s.key})
  WITH pv ORDER BY coalesce(pv.statement_date, date('0001-01-01')) DESC, pv.seq DESC
  RETURN collect(pv {.source, .record, .statement_date, .url, .share_min, .share_max, .min_open, .max_open,
                     .start, .end}) AS statements
}
RETURN o.key AS near, y.key AS key, y.name AS name, y.kind AS kind, y.country AS country,
       coalesce(y.lists, []) AS lists,
       s.key AS stake, o.key AS owner, y.key AS owned, s.type AS interest,
       s.share_min AS share_min, s.share_max AS share_max, s.min_open AS min_open, s.max_open AS max_open,
       s.start AS start, s.end AS end, s.counted AS counted, s.declares AS declares,
       coalesce(s.sources, []) AS sources, coalesce(s.records, []) AS records, statements
ORDER BY near, key, stake
LIMIT $cap
