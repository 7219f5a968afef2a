// One row per source record about a party. The party is found through any of its identifiers,
// or created with the first one as its key; properties a record leaves empty are kept. Each row is
// written in its own subquery call, so a row sees the parties earlier rows of the batch created.
UNWIND $rows AS row
CALL (row) {
  OPTIONAL MATCH (known:Identifier)-[:IDENTIFIES]->(existing:Party)
    WHERE known.id IN [i IN row.ids | i.id]
  WITH existing ORDER BY existing.key
  WITH head(collect(existing)) AS existing
  MERGE (p:Party {key: coalesce(existing.key, row.key)})
    ON CREATE SET p.created_at = datetime(), p.kind = row.kind
  SET p.name = coalesce(row.name, p.name),
      p.kind = CASE WHEN row.kind = 'unknown' THEN p.kind ELSE row.kind END,
      p.jurisdiction = coalesce(row.jurisdiction, p.jurisdiction),
      p.headquarters = coalesce(row.headquarters, p.headquarters),
      p.status = coalesce(row.status, p.status),
      p.nationalities = reduce(acc = coalesce(p.nationalities, []), n IN row.nationalities |
                               CASE WHEN n IN acc THEN acc ELSE acc + n END),
      p.lists = reduce(acc = coalesce(p.lists, []), n IN row.lists |
                       CASE WHEN n IN acc THEN acc ELSE acc + n END),
      p.addresses = reduce(acc = coalesce(p.addresses, []), n IN row.addresses |
                           CASE WHEN n IN acc THEN acc ELSE acc + n END),
      p.reporting_exceptions = reduce(acc = coalesce(p.reporting_exceptions, []), n IN row.exceptions |
                                      CASE WHEN n IN acc THEN acc ELSE acc + n END),
      p.sources = CASE WHEN row.source + '#' + row.record IN coalesce(p.sources, []) THEN p.sources
                       ELSE coalesce(p.sources, []) + (row.source + '#' + row.record) END
  SET p.country = CASE WHEN p.kind = 'person' THEN null
                       ELSE toUpper(left(coalesce(p.headquarters, p.jurisdiction), 2)) END
  FOREACH (i IN row.ids |
    MERGE (x:Identifier {id: i.id})
      ON CREATE SET x.scheme = i.scheme, x.value = i.value
    MERGE (x)-[:IDENTIFIES]->(p))
  RETURN existing IS NULL AS created, p
}
// A list membership is the party, the list and its start (none for a membership without dates); its end
// is an attribute that the latest record stating the membership sets: a record that gives an end ends it,
// one that gives none (re)opens it (the most recent statement wins, as for an interest's values).
CALL (row, p) {
  UNWIND row.listings AS m
  MERGE (l:List {name: m.name})
  WITH p, l, m
  OPTIONAL MATCH (p)-[x:LISTED]->(l)
    WHERE x.start = m.start OR (x.start IS NULL AND m.start IS NULL)
  WITH p, l, m, head(collect(x)) AS known
  FOREACH (_ IN CASE WHEN known IS NULL THEN [1] ELSE [] END |
    CREATE (p)-[:LISTED {start: m.start, end: m.end, source: row.source}]->(l))
  FOREACH (x IN CASE WHEN known IS NULL THEN [] ELSE [known] END |
    SET x.end = m.end)
  RETURN count(*) AS listings
}
// One row for the batch: the rows written, the parties they created (a party named twice in one batch is
// created by its first row and updated by the next), the keys of the parties written.
RETURN count(*) AS written, count(DISTINCT CASE WHEN created THEN p.key END) AS created,
       collect(DISTINCT p.key) AS keys
