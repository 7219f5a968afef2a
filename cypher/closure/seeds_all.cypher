// The seeds of a policy in the whole graph, found through indexes: organisations by country, persons by
// nationality, any party on a named list in force on $as_of. The same predicate as closure/seeds
// (which takes a list of parties); tests hold the two to the same answers.
CALL () {
  MATCH (p:Party)
  WHERE p.country IN $headquarters AND p.kind <> 'person'
  RETURN p
  UNION
  MATCH (x:List)<-[l:LISTED]-(p:Party)
  WHERE x.name IN $lists
    AND (l.start IS NULL OR l.start <= $as_of) AND (l.end IS NULL OR $as_of < l.end)
  RETURN p
  UNION
  MATCH (p:Party {kind: 'person'})
  WHERE size($nationalities) > 0 AND any(n IN coalesce(p.nationalities, []) WHERE n IN $nationalities)
  RETURN p
}
RETURN p.key AS key
