CALL () { MATCH (p:Party) RETURN count(p) AS parties }
CALL () { MATCH ()-[s:INTEREST]->() RETURN count(s) AS interests }
CALL () { MATCH (i:Identifier) RETURN count(i) AS identifiers }
CALL () { MATCH (v:Provenance) RETURN count(v) AS provenance }
CALL () { MATCH ()-[l:LISTED]->() RETURN count(l) AS listings }
RETURN parties, interests, identifiers, provenance, listings
