OPTIONAL MATCH (m:Meta {name: 'schema'})
RETURN m.version AS version
