// After an import: a stake's components, [] where the import left none (it drops empty arrays).
MATCH ()-[s:INTEREST]->()
WHERE s.components IS NULL
CALL (s) { SET s.components = [] } IN CONCURRENT TRANSACTIONS OF $rows ROWS
