// Every interest's stated share (for re-encoding lo/hi when the share encoding of graph/share.py changes).
MATCH ()-[s:INTEREST]->()
WHERE s.share_min IS NOT NULL
RETURN elementId(s) AS id, s.share_min AS share_min, s.share_max AS share_max,
       s.min_open AS min_open, s.max_open AS max_open
