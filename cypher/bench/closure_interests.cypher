// Benchmarks only: interests written in bulk between parties of closure_parties, with the properties the
// closure and the explanations read (key, type, encoded shares, dates, counted, share range, sources).
UNWIND $rows AS row
MATCH (o:Party {key: row.owner})
MATCH (y:Party {key: row.owned})
CREATE (o)-[:INTEREST {key: row.key, type: row.type, lo: row.lo, hi: row.hi, start: row.start, end: row.end,
                      counted: row.counted, share_min: row.share_min, share_max: row.share_max,
                      min_open: row.min_open, max_open: row.max_open, sources: row.sources,
                      records: row.records}]->(y)
