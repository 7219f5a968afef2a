// The standings a region had before an interrupted recompute of a closure version.
MATCH (b:ClosureBefore {version: $version})
RETURN b.party AS key, b.status AS status, coalesce(b.witness, []) AS witness
