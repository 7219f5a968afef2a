CREATE INDEX verdict_change_delivered IF NOT EXISTS FOR (c:VerdictChange) ON (c.delivered)
