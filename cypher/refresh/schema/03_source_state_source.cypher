CREATE CONSTRAINT source_state_source IF NOT EXISTS FOR (s:SourceState) REQUIRE s.source IS UNIQUE
