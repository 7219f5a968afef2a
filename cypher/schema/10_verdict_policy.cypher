CREATE INDEX verdict_policy IF NOT EXISTS FOR (v:Verdict) ON (v.policy, v.status)
