// Remember what a source said in the snapshot of $date, for the record groups that were new or changed.
UNWIND $rows AS row
MERGE (r:SourceRecord {key: $source + '|' + row.rkey})
  ON CREATE SET r.first_seen = $date
SET r.source = $source, r.rkey = row.rkey, r.kind = row.kind, r.hash = row.hash, r.parts = row.parts,
    r.start = row.start, r.interest = row.interest, r.lists = row.lists,
    r.listings = row.listings, r.party = row.party, r.said = row.said,
    r.seen = $date, r.gone = null, r.run = $run
RETURN count(r) AS written
