// Record changes of materialised verdicts (one node per policy, party, date and old and new verdict: a
// run that finds again the changes of an interrupted one records them once). $pending: false when a webhook is to receive them, else null.
UNWIND $rows AS row
OPTIONAL MATCH (p:Party {key: row.party})
MERGE (c:VerdictChange {key: row.key})
  ON CREATE SET c.recorded_at = datetime(), c.delivered = $pending
SET c.run = row.run, c.policy = row.policy, c.policy_hash = row.policy_hash, c.party = row.party,
    c.name = p.name, c.old = row.old, c.new = row.new, c.date = row.date, c.causes = row.causes,
    c.witness = row.witness
RETURN count(c) AS written
