// After an import: the values of stakes that CSV cannot carry (see fix_parties).
UNWIND $rows AS row
MATCH (:Party {key: row.owner})-[s:INTEREST {key: row.key}]->(:Party {key: row.owned})
SET s += row.props
RETURN count(s) AS fixed
