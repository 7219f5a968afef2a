// The latest refresh runs, newest first.
MATCH (r:RefreshRun)
RETURN r.id AS id, r.started AS started, r.ended AS ended, r.status AS status, r.error AS error,
       r.sources AS sources, r.closures AS closures, r.changes AS changes, r.webhook AS webhook,
       r.config AS config
ORDER BY r.started DESC
LIMIT $limit
