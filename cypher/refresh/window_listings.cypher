// The list memberships that start or end between two dates ($after exclusive, $until inclusive).
CALL () {
  MATCH (p:Party)-[l:LISTED]->(x:List)
  WHERE l.start > $after AND l.start <= $until
  RETURN p, x
  UNION
  MATCH (p:Party)-[l:LISTED]->(x:List)
  WHERE l.end > $after AND l.end <= $until
  RETURN p, x
}
RETURN p.key AS key, x.name AS list
