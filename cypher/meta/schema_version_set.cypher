MERGE (m:Meta {name: 'schema'})
SET m.version = $version, m.applied_at = datetime()
