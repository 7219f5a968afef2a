CREATE INDEX party_kind IF NOT EXISTS FOR (p:Party) ON (p.kind)
