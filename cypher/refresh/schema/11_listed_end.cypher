CREATE INDEX listed_end IF NOT EXISTS FOR ()-[l:LISTED]-() ON (l.end)
