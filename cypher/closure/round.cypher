// One round of the aggregate closure (SPEC.md §3) over the candidates: the $candidates keys (on-demand
// evaluation, incremental recompute), and/or the parties directly held (counted interests in force) by the
// $frontier parties that do not carry the closure mark yet (a materialised closure's next round). For
// each, the counted shares (bound $bound: 'lo' or 'hi', integer-encoded, see graph/share.py) held by
// members of the restricted set, summed; and whether a member holds a control interest the policy counts.
// A party's counted share from one owner is its largest measured interest. Members are the $members keys
// (on-demand evaluation) or the parties marked with $mark (a materialised closure).
CALL () {
  UNWIND $candidates AS k
  MATCH (y:Party {key: k})
  RETURN y
  UNION
  UNWIND $frontier AS k
  MATCH (:Party {key: k})-[h:INTEREST]->(y:Party)
  WHERE h.counted AND NOT $mark IN coalesce(y.marks, [])
    AND (h.start IS NULL OR h.start <= $as_of) AND (h.end IS NULL OR $as_of < h.end)
  RETURN y
}
MATCH (o:Party)-[s:INTEREST]->(y)
WHERE (o.key IN $members OR $mark IN coalesce(o.marks, [])) AND o <> y AND s.counted
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
