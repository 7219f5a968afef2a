// A refresh run ends: its status, error, and what it did (JSON: per source and snapshot, per policy).
MATCH (r:RefreshRun {id: $id})
SET r.ended = datetime(), r.status = $status, r.error = $error, r.sources = $sources, r.closures = $closures,
    r.changes = $changes, r.webhook = $webhook
RETURN r.id AS id
