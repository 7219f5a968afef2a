// Benchmarks only: parties written in bulk with what the closure and the seed rule read (key, name, kind,
// country, nationalities, named lists), without identifiers or provenance. The loaders (cypher/load/)
// write the full record; benchmarks use this to put graphs too large for a bounded load into Neo4j.
UNWIND $rows AS row
CREATE (p:Party {key: row.key, name: row.name, kind: row.kind, country: row.country,
                 nationalities: row.nationalities})
WITH p, row
UNWIND row.lists AS list
MERGE (l:List {name: list})
CREATE (p)-[:LISTED]->(l)
