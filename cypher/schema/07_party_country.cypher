CREATE INDEX party_country IF NOT EXISTS FOR (p:Party) ON (p.country)
