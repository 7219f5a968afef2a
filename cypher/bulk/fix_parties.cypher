// After an import: the values of parties that CSV cannot carry (an empty string, a list of one empty
// string, an item holding the array delimiter).
UNWIND $rows AS row
MATCH (p:Party {key: row.key})
SET p += row.props
RETURN count(p) AS fixed
