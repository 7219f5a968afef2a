CREATE INDEX interest_start IF NOT EXISTS FOR ()-[s:INTEREST]-() ON (s.start)
