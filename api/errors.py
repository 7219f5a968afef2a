"""Errors of the HTTP layer; like the domain errors, each carries the status the API answers with."""

from __future__ import annotations

from ownergraph.graph.errors import OwnergraphError


class InvalidParameter(OwnergraphError):
    """A request parameter or body field that cannot be used; names the field."""

    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message

    def detail(self) -> dict:
        return {**super().detail(), "fields": [{"field": self.field, "message": self.reason}]}


class Unauthorized(OwnergraphError):
    status = 401


class PayloadTooLarge(OwnergraphError):
    status = 413


class NotReady(OwnergraphError):
    """The database is reachable but cannot serve yet (no schema, an older schema)."""

    status = 503
