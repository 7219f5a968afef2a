"""The bulk path into an empty database: `ownergraph load --bulk PATH...`.

The readers (`loaders/reading.py`) stream into an in-memory model of what the transactional load would
write (`resolve.py`: one party per identifier, identifiers merged, one stake per owner / owned / type /
start / declaration, one Provenance per source record, dated list memberships), spilled to disk in
buckets and folded into node and relationship Parquet files (`importfiles.py`) for `neo4j-admin database
import full --input-type=parquet`; the local server is stopped, the files imported, the server started on the new store, and
the schema, the empty strings the import drops and the schema version applied (`run.py`). The
graph is the one `ownergraph load` writes from the same files, party by party and property by property
(tests/test_bulk_load.py holds the two paths to that).
"""
