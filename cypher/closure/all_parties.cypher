// Every party key, a page at a time (keys after $after, in order).
MATCH (p:Party)
WHERE p.key > $after
RETURN p.key AS key
ORDER BY p.key
LIMIT $limit
