// The seeds of a policy among the given parties: organisations by country, persons by nationality, any
// party on a named list in force on $as_of (SPEC.md §3).
UNWIND $keys AS k
MATCH (p:Party {key: k})
WHERE (p.kind <> 'person' AND p.country IN $headquarters)
   OR (p.kind = 'person' AND any(n IN coalesce(p.nationalities, []) WHERE n IN $nationalities))
   OR EXISTS {
        MATCH (p)-[l:LISTED]->(x:List)
        WHERE x.name IN $lists
          AND (l.start IS NULL OR l.start <= $as_of) AND (l.end IS NULL OR $as_of < l.end)
      }
RETURN p.key AS key
