// What an investigator sees of one party: its facts, every identifier, list memberships, the source
// records that describe it, and how many interests it holds and is held by.
MATCH (p:Party {key: $key})
RETURN p.key AS key, p.name AS name, p.kind AS kind, p.jurisdiction AS jurisdiction,
       p.headquarters AS headquarters, p.country AS country, p.status AS status,
       coalesce(p.nationalities, []) AS nationalities, coalesce(p.addresses, []) AS addresses,
       coalesce(p.reporting_exceptions, []) AS reporting_exceptions, coalesce(p.sources, []) AS sources,
       [(i:Identifier)-[:IDENTIFIES]->(p) | {id: i.id, scheme: i.scheme, value: i.value}] AS identifiers,
       [(p)-[l:LISTED]->(x:List) | {name: x.name, start: l.start, end: l.end, source: l.source}] AS lists,
       COUNT { (o:Party)-[:INTEREST]->(p) WHERE o <> p } AS owner_count,
       COUNT { (p)-[:INTEREST]->(y:Party) WHERE y <> p } AS subsidiary_count
