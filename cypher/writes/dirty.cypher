// A write that failed before its closures were recomputed: they stay withdrawn and are rebuilt in full.
MATCH (m:Meta) WHERE m.name STARTS WITH 'closure:' AND m.version IS NULL
SET m.dirty = true
RETURN count(m) AS dirty
