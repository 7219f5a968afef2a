// The writes to the graph under way (their tokens), for telling live writers from dead ones.
OPTIONAL MATCH (g:Meta {name: 'writers'})
RETURN coalesce(g.tokens, []) AS tokens
