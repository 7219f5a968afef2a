"""Domain errors; each carries the HTTP status the API answers with."""

from __future__ import annotations


class OwnergraphError(Exception):
    status = 500

    def detail(self) -> dict:
        return {"error": type(self).__name__, "message": str(self)}


class InvalidParameter(OwnergraphError):
    """A parameter or field that cannot be used (a request's, a command's option); names the field."""

    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message

    def detail(self) -> dict:
        return {"error": "InvalidParameter", "message": str(self),
                "fields": [{"field": self.field, "message": self.reason}]}


class UnknownParty(OwnergraphError):
    status = 404

    def __init__(self, party_id: str) -> None:
        super().__init__(f"no party has the id {party_id!r}")
        self.party_id = party_id

    def detail(self) -> dict:
        return {**super().detail(), "id": self.party_id}


class AmbiguousParty(OwnergraphError):
    status = 409

    def __init__(self, party_id: str, candidates: list[dict]) -> None:
        names = ", ".join(f"{c['key']} ({c.get('name') or 'no name'})" for c in candidates)
        super().__init__(f"the id {party_id!r} matches {len(candidates)} parties: {names}")
        self.party_id = party_id
        self.candidates = candidates

    def detail(self) -> dict:
        return {**super().detail(), "id": self.party_id, "candidates": self.candidates}


class PolicyError(OwnergraphError):
    status = 422


class StoreUnavailable(OwnergraphError):
    """Neo4j cannot be reached."""

    status = 503


class ConeTooLarge(OwnergraphError):
    """A party's upstream cone is larger than an on-demand evaluation reads."""


class ServerError(OwnergraphError):
    """The local Neo4j could not be prepared, started or stopped."""


class RefreshBusy(OwnergraphError):
    """Another refresh (or scheduler) holds the lock."""

    status = 409
