// Note that the webhook accepted these verdict changes.
UNWIND $keys AS k
MATCH (c:VerdictChange {key: k})
SET c.delivered = true, c.delivered_at = datetime()
RETURN count(c) AS done
