CREATE INDEX identifier_value IF NOT EXISTS FOR (i:Identifier) ON (i.value)
