// Every interest with what the batch closure reads (graph/spark_closure.py EDGE_COLUMNS, and its key for
// the witnesses), streamed for `ownergraph export parquet`.
MATCH (o:Party)-[s:INTEREST]->(y:Party)
RETURN s.key AS key, o.key AS owner, y.key AS owned, s.type AS type, s.lo AS lo, s.hi AS hi,
       s.start AS start, s.end AS end, coalesce(s.counted, false) AS counted
