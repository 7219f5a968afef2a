// After an import: a source record's components, [] where the import left none (it drops empty arrays).
MATCH (pv:Provenance)
WHERE pv.components IS NULL
CALL (pv) { SET pv.components = [] } IN CONCURRENT TRANSACTIONS OF $rows ROWS
