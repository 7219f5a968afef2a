// The interests that start or end between two dates ($after exclusive, $until inclusive): moving a
// closure from one of the dates to the other changes whether they are in force.
CALL () {
  MATCH ()-[s:INTEREST]->(y:Party)
  WHERE s.start > $after AND s.start <= $until
  RETURN s, y
  UNION
  MATCH ()-[s:INTEREST]->(y:Party)
  WHERE s.end > $after AND s.end <= $until
  RETURN s, y
}
WITH s, y WHERE s.counted
RETURN s.key AS interest, y.key AS key
