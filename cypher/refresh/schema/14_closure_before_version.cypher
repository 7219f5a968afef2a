CREATE INDEX closure_before_version IF NOT EXISTS FOR (b:ClosureBefore) ON (b.version)
