CREATE CONSTRAINT closure_before_key IF NOT EXISTS FOR (b:ClosureBefore) REQUIRE b.key IS UNIQUE
