CREATE INDEX verdict_change_recorded IF NOT EXISTS FOR (c:VerdictChange) ON (c.recorded_at)
