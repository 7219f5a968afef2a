CREATE INDEX interest_end IF NOT EXISTS FOR ()-[s:INTEREST]-() ON (s.end)
