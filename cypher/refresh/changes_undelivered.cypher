// Verdict changes the webhook has not accepted yet, oldest first, a page at a time.
MATCH (c:VerdictChange {delivered: false})
RETURN c.key AS key, c.run AS run, c.policy AS policy, c.policy_hash AS policy_hash, c.party AS party,
       c.name AS name, c.old AS old, c.new AS new, c.date AS date, c.causes AS causes, c.witness AS witness,
       c.recorded_at AS recorded_at, c.delivered AS delivered
ORDER BY c.recorded_at, c.key
LIMIT $limit
