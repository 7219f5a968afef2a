// Parties by kind, and interests: counted ones (those in force on $as_of and those no longer), and
// declarations (interests that summarise others or name an ultimate parent, never counted).
CALL () {
  MATCH (p:Party)
  RETURN count(p) AS parties, count(CASE WHEN p.kind = 'person' THEN 1 END) AS persons
}
CALL () {
  MATCH ()-[s:INTEREST]->()
  RETURN count(CASE WHEN s.counted THEN 1 END) AS counted,
         count(CASE WHEN s.counted AND (s.start > $as_of OR s.end <= $as_of) THEN 1 END) AS not_in_force,
         count(CASE WHEN NOT coalesce(s.counted, false) THEN 1 END) AS declarations
}
RETURN parties, persons, counted, not_in_force, declarations
