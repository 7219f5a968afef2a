CREATE INDEX provenance_stake IF NOT EXISTS FOR (p:Provenance) ON (p.stake)
