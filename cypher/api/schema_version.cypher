// The schema version the database records (GET /readyz, a read transaction: the one statement of the
// readiness probe, and the API's bare limit of a request that reaches Neo4j in benchmarks/api_wrk.py).
OPTIONAL MATCH (m:Meta {name: 'schema'})
RETURN m.version AS version
