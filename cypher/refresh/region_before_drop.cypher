// Forget the kept standings of a region once its recompute is done (run in batches until it returns 0).
MATCH (b:ClosureBefore {version: $version})
WITH b LIMIT $limit
DELETE b
RETURN count(*) AS done
