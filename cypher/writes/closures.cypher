// Every materialised closure's policy, date and policy hash (visible, withdrawn or being recomputed).
MATCH (m:Meta) WHERE m.name STARTS WITH 'closure:'
RETURN substring(m.name, 8) AS policy, m.as_of AS as_of, m.policy_hash AS policy_hash, m.definition AS definition
ORDER BY policy
