// Remove one closure version's marks from the parties (run in batches until it returns 0).
MATCH (p:Party)
WHERE any(m IN coalesce(p.marks, []) WHERE m STARTS WITH $prefix)
WITH p LIMIT $limit
SET p.marks = [m IN p.marks WHERE NOT m STARTS WITH $prefix]
RETURN count(p) AS done
