// Delete up to $limit relationships (run until it returns 0; Store.clear runs it before deleting nodes,
// so no one transaction has to detach a node of high degree).
MATCH ()-[r]->()
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
