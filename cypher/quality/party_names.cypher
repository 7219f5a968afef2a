// The names of the parties with the given keys.
UNWIND $keys AS k
MATCH (p:Party {key: k})
RETURN p.key AS key, p.name AS name
