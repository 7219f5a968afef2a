CREATE INDEX refresh_run_started IF NOT EXISTS FOR (r:RefreshRun) ON (r.started)
