// Every party with its key, name, kind and country, streamed for `ownergraph export parquet`.
MATCH (p:Party)
RETURN p.key AS key, p.name AS name, p.kind AS kind, p.country AS country
