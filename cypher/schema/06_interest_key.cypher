CREATE INDEX interest_key IF NOT EXISTS FOR ()-[s:INTEREST]-() ON (s.key)
