// Benchmarks only: every party's key, for the load generator to pick party ids from (benchmarks/api_wrk.py).
MATCH (p:Party)
RETURN p.key AS key
ORDER BY key
