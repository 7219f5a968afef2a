// The ultimate accounting-consolidation parent(s) of the party whose key is $key, computed
// from the direct consolidation interests that are counted and in force on $as_of (today when null):
// each party's direct parents are followed upward to a party that has no direct parent of its own.
// A party consolidated by two parents can have two ultimate parents; a chain that loops back has none;
// a party without a direct parent gives no row. For each parent: the shortest chain that reaches it.
MATCH (child:Party {key: $key})
MATCH path = (child) ((low:Party)<-[s:INTEREST]-(high:Party)
                      WHERE s.type = 'consolidation' AND s.counted AND low <> high
                        AND (s.start IS NULL OR s.start <= coalesce($as_of, date()))
                        AND (s.end IS NULL OR coalesce($as_of, date()) < s.end)){1,50} (top:Party)
WHERE NOT EXISTS {
  MATCH (top)<-[t:INTEREST]-(above:Party)
  WHERE t.type = 'consolidation' AND t.counted AND above <> top
    AND (t.start IS NULL OR t.start <= coalesce($as_of, date()))
    AND (t.end IS NULL OR coalesce($as_of, date()) < t.end)
}
WITH top, path ORDER BY length(path)
WITH top, collect(path)[0] AS shortest
RETURN top.key AS key, top.name AS name,
       head([(top)<-[:IDENTIFIES]-(i:Identifier {scheme: 'LEI'}) | i.value]) AS lei,
       length(shortest) AS levels,
       [n IN nodes(shortest) | n.key] AS chain
ORDER BY levels, key
