// Delete one closure version's Verdict nodes (run in batches until it returns 0).
MATCH (v:Verdict {policy: $version})
WITH v LIMIT $limit
DETACH DELETE v
RETURN count(*) AS done
