// After an import: the lists every load writes on a party, empty where the import left none (the import
// tool drops empty arrays; `load/parties` writes []).
MATCH (p:Party)
WHERE p.nationalities IS NULL OR p.lists IS NULL OR p.addresses IS NULL OR p.reporting_exceptions IS NULL
CALL (p) {
  SET p.nationalities = coalesce(p.nationalities, []), p.lists = coalesce(p.lists, []),
      p.addresses = coalesce(p.addresses, []), p.reporting_exceptions = coalesce(p.reporting_exceptions, [])
} IN CONCURRENT TRANSACTIONS OF $rows ROWS
