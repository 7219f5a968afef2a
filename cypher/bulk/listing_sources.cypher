// After an import: a list membership whose source was the empty string (the import reads it back as none).
MATCH ()-[x:LISTED]->()
WHERE x.source IS NULL
CALL (x) { SET x.source = '' } IN CONCURRENT TRANSACTIONS OF $rows ROWS
