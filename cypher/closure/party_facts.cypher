// What the seed rule and the explanations need to know of some parties.
UNWIND $keys AS k
MATCH (p:Party {key: k})
RETURN p.key AS key, p.name AS name, p.kind AS kind, p.country AS country,
       coalesce(p.nationalities, []) AS nationalities,
       coalesce(p.reporting_exceptions, []) AS reporting_exceptions,
       [(p)-[l:LISTED]->(x:List) | [x.name, l.start, l.end]] AS listings
