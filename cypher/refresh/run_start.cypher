// A refresh run begins.
CREATE (r:RefreshRun {id: $id, started: datetime(), status: 'running', config: $config, host: $host})
RETURN r.id AS id
