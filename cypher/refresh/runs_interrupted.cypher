// Runs still marked running when a new run holds the refresh lock were interrupted (killed, lost power).
MATCH (r:RefreshRun {status: 'running'})
WHERE r.id <> $id
SET r.status = 'failed', r.ended = coalesce(r.ended, datetime()),
    r.error = coalesce(r.error, 'interrupted: the run stopped before it finished')
RETURN count(r) AS done
