// Record that a source's snapshot of $date is applied (written last: a run stopped before it is redone).
MERGE (s:SourceState {source: $source})
SET s.snapshot = $date, s.run = $run, s.applied_at = datetime(), s.path = $path, s.kind = $kind
