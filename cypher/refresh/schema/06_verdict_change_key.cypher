CREATE CONSTRAINT verdict_change_key IF NOT EXISTS FOR (c:VerdictChange) REQUIRE c.key IS UNIQUE
