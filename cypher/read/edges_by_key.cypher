// Interests by their stake keys.
UNWIND $keys AS k
MATCH (o:Party)-[s:INTEREST {key: k}]->(y:Party)
RETURN s.key AS key, o.key AS owner, y.key AS owned, s.type AS type, s.lo AS lo, s.hi AS hi,
       s.start AS start, s.end AS end, s.sources AS sources, s.records AS records,
       s.share_min AS share_min, s.share_max AS share_max, s.min_open AS min_open, s.max_open AS max_open
