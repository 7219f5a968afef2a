// One round of the aggregate closure over given candidates: for each, the counted shares (bound $bound:
// 'lo' or 'hi', integer-encoded) held by the $members, summed; and whether a member holds a control
// interest. A party's counted share from one owner is its largest measured interest.
UNWIND $candidates AS k
MATCH (y:Party {key: k})
MATCH (o:Party)-[s:INTEREST]->(y)
WHERE o.key IN $members AND o <> y AND s.counted
  AND (s.type IN $measured OR s.type IN $control)
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
WITH y, o, collect(s) AS stakes
WITH y, o,
     [s IN stakes WHERE s.type IN $control | s.key] AS control,
     reduce(best = null, s IN [x IN stakes WHERE x.type IN $measured] |
            CASE WHEN best IS NULL OR s[$bound] > best[$bound] THEN s ELSE best END) AS best
WITH y,
     collect(CASE WHEN size(control) > 0 THEN control[0] END) AS control,
     sum(coalesce(best[$bound], 0)) AS total,
     collect(best.key) AS witness
WITH y, control, total, witness,
     size(witness) > 0 AND (total > $threshold OR ($inclusive AND total = $threshold)) AS meets
WHERE size(control) > 0 OR meets
RETURN y.key AS key,
       CASE WHEN size(control) > 0 THEN 'control' ELSE 'ownership' END AS reason,
       CASE WHEN size(control) > 0 THEN control[..1] ELSE witness END AS witness,
       total
