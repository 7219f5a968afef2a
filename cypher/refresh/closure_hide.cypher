// Withdraw a closure version from readers while part of it is recomputed (they evaluate on demand).
MATCH (m:Meta {name: 'closure:' + $policy})
SET m.updating = $version, m.version = null
