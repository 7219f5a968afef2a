// The ultimate accounting-consolidation parent(s) that GLEIF records declare for the party
// whose key is $key, in force on $as_of (today when null), with the source records that declare it.
MATCH (child:Party {key: $key})<-[d:INTEREST]-(parent:Party)
WHERE d.type = 'consolidation' AND d.declares = 'ultimate-parent'
  AND (d.start IS NULL OR d.start <= coalesce($as_of, date()))
  AND (d.end IS NULL OR coalesce($as_of, date()) < d.end)
RETURN parent.key AS key, parent.name AS name,
       head([(parent)<-[:IDENTIFIES]-(i:Identifier {scheme: 'LEI'}) | i.value]) AS lei,
       d.sources AS sources, d.records AS records
ORDER BY key
