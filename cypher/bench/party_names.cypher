// Benchmarks only: the name and country of each of $keys that has a name, for the screening rows by name
// of benchmarks/api_wrk.py (names of parties in the graph).
UNWIND $keys AS key
MATCH (p:Party {key: key})
WHERE p.name IS NOT NULL
RETURN p.key AS key, p.name AS name, p.country AS country
