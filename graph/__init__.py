"""The ownership graph: model, Neo4j store and the semantics of "restricted"."""
