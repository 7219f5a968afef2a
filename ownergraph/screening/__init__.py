"""Matching and screening: party names made comparable, parties found by id or name, counterparty rows screened.

Used by the HTTP API (GET /v1/search, POST /v1/screen) and by the CLI (`ownergraph screen`).
"""
