// Organisations with no known owner: no interest of any kind from another party points at them.
MATCH (p:Party)
WHERE p.kind <> 'person' AND NOT EXISTS { MATCH (o:Party)-[:INTEREST]->(p) WHERE o <> p }
RETURN count(p) AS parties
