// One step up the ownership cone: the counted interests in force on $as_of held in the $frontier parties,
// with their owners.
UNWIND $frontier AS k
MATCH (o:Party)-[s:INTEREST]->(y:Party {key: k})
WHERE s.counted AND o <> y
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
RETURN s.key AS key, o.key AS owner, y.key AS owned, s.type AS type, s.lo AS lo, s.hi AS hi,
       s.start AS start, s.end AS end, s.sources AS sources, s.records AS records,
       s.share_min AS share_min, s.share_max AS share_max, s.min_open AS min_open, s.max_open AS max_open
