// Keep the standings a recomputed region had before (written before the region is taken out of its
// closure version), so that a recompute interrupted half-way still logs changes against them.
UNWIND $rows AS row
MERGE (b:ClosureBefore {key: $version + '|' + row.key})
SET b.version = $version, b.party = row.key, b.status = row.status, b.witness = row.witness
RETURN count(b) AS written
