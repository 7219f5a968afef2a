CREATE INDEX listed_start IF NOT EXISTS FOR ()-[l:LISTED]-() ON (l.start)
