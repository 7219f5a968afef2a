// A write is over (its closures given back, or left withdrawn): take its token off the writers, and the
// tokens of writes found dead.
MATCH (g:Meta {name: 'writers'})
SET g.tokens = [t IN coalesce(g.tokens, []) WHERE t <> $token AND NOT t IN $dead]
RETURN size(g.tokens) AS writers
