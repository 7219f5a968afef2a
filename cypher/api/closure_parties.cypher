// One page of the restricted or indeterminate parties of a policy's materialised closure ($status:
// 'restricted', 'indeterminate', or null for both), ordered by name then key, with the total. Only a
// closure built for $policy_hash is read. A party's lists are those in force on the closure's date. The
// closure's Meta node is read first and again after every read (behind the collect), as
// read/verdicts_materialised does: a read that overlapped a switch or a withdrawal sees a change and is
// done again (api/routers/lists.py).
OPTIONAL MATCH (m:Meta {name: 'closure:' + $policy})
WITH m.version AS version, m.policy_hash AS policy_hash, m.as_of AS as_of, m.computed_at AS computed_at
CALL (version, policy_hash) {
  OPTIONAL MATCH (v:Verdict {policy: CASE WHEN policy_hash = $policy_hash THEN version END})
  WITH v, CASE WHEN v.sure_round IS NOT NULL THEN 'restricted'
               WHEN v.possible_round IS NOT NULL THEN 'indeterminate' END AS status
  WHERE status IS NOT NULL AND ($status IS NULL OR status = $status)
  MATCH (p:Party {key: v.party})
  WITH v, status, p ORDER BY toLower(coalesce(p.name, p.key)), p.key
  WITH collect({party: p, verdict: v, status: status}) AS found
  RETURN size(found) AS total, found[$offset..($offset + $limit)] AS page
}
CALL (page, as_of) {
  UNWIND page AS r
  WITH r, r.party AS p, r.verdict AS v
  RETURN collect({key: p.key, name: p.name, kind: p.kind, country: p.country, status: r.status,
                  seed: coalesce(v.seed, false),
                  reason: CASE r.status WHEN 'restricted' THEN v.sure_reason ELSE v.possible_reason END,
                  round: CASE r.status WHEN 'restricted' THEN v.sure_round ELSE v.possible_round END,
                  lists: [(p)-[l:LISTED]->(x:List)
                          WHERE (l.start IS NULL OR l.start <= as_of) AND (l.end IS NULL OR as_of < l.end) | x.name]})
         AS items
}
OPTIONAL MATCH (after:Meta {name: 'closure:' + $policy})
RETURN version, policy_hash, as_of, computed_at, total, items,
       after.version AS version_after, after.computed_at AS computed_at_after
