// What a source said last time: one row per record group it still reports (party or stake), with the
// fingerprint of what it said and where the refresh put it.
MATCH (r:SourceRecord {source: $source})
WHERE r.gone IS NULL
RETURN r.rkey AS rkey, r.hash AS hash, r.parts AS parts, r.start AS start, r.interest AS interest,
       r.lists AS lists, r.listings AS listings, r.party AS party
