"""Errors of the HTTP layer; like the domain errors, each carries the status the API answers with."""

from __future__ import annotations

from ownergraph.graph.errors import InvalidParameter, OwnergraphError

__all__ = ["InvalidParameter", "Unauthorized"]


class Unauthorized(OwnergraphError):
    status = 401


class PayloadTooLarge(OwnergraphError):
    status = 413


class NotReady(OwnergraphError):
    """The database is reachable but cannot serve yet (no schema, an older schema)."""

    status = 503
