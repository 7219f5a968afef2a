// Every source statement's share (for re-encoding lo/hi when the share encoding of graph/share.py changes).
MATCH (pv:Provenance)
WHERE pv.share_min IS NOT NULL
RETURN elementId(pv) AS id, pv.share_min AS share_min, pv.share_max AS share_max,
       pv.min_open AS min_open, pv.max_open AS max_open
