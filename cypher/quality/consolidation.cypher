// Accounting-consolidation interests in force on $as_of, one row per consolidated party: its direct
// parents (counted interests) and the ultimate parents GLEIF records declare for it.
MATCH (child:Party)<-[s:INTEREST]-(parent:Party)
WHERE s.type = 'consolidation' AND child <> parent AND (s.counted OR s.declares = 'ultimate-parent')
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.end IS NULL OR $as_of < s.end)
RETURN child.key AS child,
       collect(DISTINCT CASE WHEN s.counted THEN parent.key END) AS direct,
       collect(DISTINCT CASE WHEN s.declares = 'ultimate-parent' THEN parent.key END) AS declared
