// Verdicts read from a policy's materialised closure, for several typed ids, in one statement: each id
// resolved (its spellings $parties[i].forms tried in order, as read/party_by_id), the party's direct
// holders, then its proof tree (Verdict nodes of the version and the witness interests they name, up to
// 32 steps; `complete` is false when a tree is deeper), and the facts of every party met. Trees are read
// only when the closure is `current` ($policy_hash, $as_of) and the id names one party; a party without a
// Verdict node (clear) costs its direct holders and their facts. The closure's Meta node is read first and
// again after every read (behind the collect): graph/closure_read.py compares the two.
OPTIONAL MATCH (m:Meta {name: 'closure:' + $policy})
WITH m.version AS version, m.policy_hash AS policy_hash, m.as_of AS as_of, m.computed_at AS computed_at
UNWIND $parties AS q
CALL (q) {
  UNWIND range(0, size(q.forms) - 1) AS i
  CALL (q, i) {
    MATCH (p:Party {key: q.forms[i]}) RETURN p
    UNION
    MATCH (:Identifier {id: q.forms[i]})-[:IDENTIFIES]->(p:Party) RETURN p
    UNION
    MATCH (:Identifier {value: q.forms[i]})-[:IDENTIFIES]->(p:Party) RETURN p
  }
  WITH i, p ORDER BY i, p.key
  WITH i, collect(DISTINCT p {.key, .name, .kind, .country})[..20] AS found
  ORDER BY i
  RETURN coalesce(head(collect(found)), []) AS found
}
WITH version, policy_hash, as_of, computed_at, q, found,
     version IS NOT NULL AND policy_hash = $policy_hash AND as_of = $as_of AS current
WITH version, policy_hash, as_of, computed_at, q, found, current,
     CASE WHEN size(found) = 1 AND current THEN found[0].key END AS key
CALL (key, as_of) {
  OPTIONAL MATCH (o:Party)-[s:INTEREST]->(:Party {key: key})
  WHERE s.counted AND o.key <> key
    AND (s.start IS NULL OR s.start <= as_of) AND (s.end IS NULL OR as_of < s.end)
  WITH collect(s {.key, owner: o.key, owned: key, .type, .lo, .hi, .start, .end, .sources, .records,
                  .share_min, .share_max, .min_open, .max_open}) AS direct
  RETURN direct
}
WITH version, policy_hash, as_of, computed_at, q, found, current, key, direct,
     CASE WHEN key IS NULL THEN [] ELSE [key] + [e IN direct WHERE e.owner <> key | e.owner] END AS wanted
WITH version, policy_hash, as_of, computed_at, q, found, current, key, direct,
     reduce(acc = {fetched: [], frontier: wanted, verdicts: [], edges: direct}, step IN range(1, 32) |
       CASE WHEN size(acc.frontier) = 0 THEN acc ELSE head(COLLECT {
         WITH acc, COLLECT {
           UNWIND acc.frontier AS k
           MATCH (v:Verdict {key: version + '|' + k})
           RETURN v {key: v.party, .seed, .sure_round, .possible_round, .sure_reason, .possible_reason,
                     sure_witness: coalesce(v.sure_witness, []), possible_witness: coalesce(v.possible_witness, [])}
         } AS found_verdicts
         WITH acc, found_verdicts, [e IN acc.edges | e.key] AS have,
              reduce(w = [], v IN found_verdicts |
                w + CASE WHEN v.key = key OR v.sure_round IS NOT NULL OR v.possible_round IS NOT NULL
                         THEN CASE WHEN v.sure_round IS NOT NULL THEN v.sure_witness ELSE v.possible_witness END
                         ELSE [] END) AS witness
         WITH acc, found_verdicts, COLLECT {
           UNWIND reduce(ws = [], k IN witness | CASE WHEN k IN have OR k IN ws THEN ws ELSE ws + k END) AS k
           MATCH (o:Party)-[s:INTEREST {key: k}]->(y:Party)
           RETURN s {.key, owner: o.key, owned: y.key, .type, .lo, .hi, .start, .end, .sources, .records,
                     .share_min, .share_max, .min_open, .max_open}
         } AS more
         WITH acc, found_verdicts, more, acc.fetched + acc.frontier AS fetched
         RETURN {fetched: fetched, verdicts: acc.verdicts + found_verdicts, edges: acc.edges + more,
                 frontier: reduce(f = [], e IN more |
                   CASE WHEN e.owner IN fetched OR e.owner IN f THEN f ELSE f + e.owner END)}
       }) END) AS tree
WITH version, policy_hash, as_of, computed_at, q, found, current, key, direct, tree,
     reduce(ks = CASE WHEN key IS NULL THEN [] ELSE [key] END, e IN tree.edges |
       ks + [x IN [e.owner, e.owned] WHERE NOT x IN ks]) AS keys
CALL (keys) {
  UNWIND keys AS k
  MATCH (p:Party {key: k})
  RETURN collect({key: p.key, name: p.name, kind: p.kind, country: p.country,
                  nationalities: coalesce(p.nationalities, []),
                  reporting_exceptions: coalesce(p.reporting_exceptions, []),
                  listings: [(p)-[l:LISTED]->(x:List) | [x.name, l.start, l.end]]}) AS facts
}
WITH version, policy_hash, as_of, computed_at,
     collect({id: q.id, found: found, current: current, key: key, direct: direct, verdicts: tree.verdicts, edges: tree.edges,
              complete: size(tree.frontier) = 0, facts: facts}) AS reads
OPTIONAL MATCH (after:Meta {name: 'closure:' + $policy})
UNWIND reads AS read
RETURN read.id AS id, read.found AS found, read.current AS current, read.key AS key, read.direct AS direct, read.verdicts AS verdicts,
       read.edges AS edges, read.complete AS complete, read.facts AS facts,
       version, policy_hash, as_of, computed_at, after.version AS version_after, after.computed_at AS computed_at_after
