// After an import: the values of source records that CSV cannot carry (see fix_parties).
UNWIND $rows AS row
MATCH (pv:Provenance {key: row.key})
SET pv += row.props
RETURN count(pv) AS fixed
