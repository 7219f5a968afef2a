// The last snapshot of a source that a refresh applied.
OPTIONAL MATCH (s:SourceState {source: $source})
RETURN s.snapshot AS snapshot, s.run AS run, s.applied_at AS applied_at
