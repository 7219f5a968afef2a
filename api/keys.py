"""API keys: created and revoked by `ownergraph keys`, checked on every /v1 request when keys are required.

A key reads `og_<id>_<secret>`. Only a salted SHA-256 of the secret is kept, in `<data_dir>/api-keys.json`
(mode 0600): the secret is 32 random bytes, so a fast hash is enough and verification stays cheap under
load; the id finds the record without trying every salt. The file is rewritten atomically under a lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

FILE_NAME = "api-keys.json"
PREFIX = "og"


@dataclass(frozen=True)
class KeyRecord:
    id: str
    name: str
    salt: str
    hash: str
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def public(self) -> dict:
        """What may be shown: everything but the salt and hash."""
        return {"id": self.id, "name": self.name, "created": self.created, "revoked": self.revoked}


def keys_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _read(path: Path) -> list[KeyRecord]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [KeyRecord(**item) for item in data.get("keys", [])]


def _write(path: Path, records: list[KeyRecord]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"keys": [asdict(r) for r in records]}, fh, indent=2)
    os.replace(tmp, path)


@contextmanager
def _locked(data_dir: Path) -> Iterator[Path]:
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(data_dir) / (FILE_NAME + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield keys_path(data_dir)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def create(data_dir: Path, name: str = "") -> tuple[KeyRecord, str]:
    """A new key: its record (as stored) and the full key, which is shown once and never kept."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    record = KeyRecord(id=key_id, name=name, salt=salt, hash=_digest(salt, secret), created=_now())
    with _locked(data_dir) as path:
        _write(path, _read(path) + [record])
    return record, f"{PREFIX}_{key_id}_{secret}"


def revoke(data_dir: Path, key_id: str) -> bool:
    """Revoke a key by its id (or the full key); False when no active key has it."""
    wanted = _split(key_id)[0] if key_id.startswith(PREFIX + "_") else key_id
    with _locked(data_dir) as path:
        records = _read(path)
        found = False
        for i, record in enumerate(records):
            if record.id == wanted and record.active:
                records[i] = KeyRecord(**{**asdict(record), "revoked": _now()})
                found = True
        if found:
            _write(path, records)
    return found


def list_keys(data_dir: Path) -> list[KeyRecord]:
    return _read(keys_path(data_dir))


def _split(presented: str) -> tuple[str, str]:
    prefix, _, rest = presented.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return "", ""
    return key_id, secret


class KeyRing:
    """The stored keys, reread when the file changes, so `ownergraph keys revoke` takes effect at once."""

    def __init__(self, data_dir: Path) -> None:
        self.path = keys_path(data_dir)
        self._stamp: tuple[int, int] | None = None
        self._records: dict[str, KeyRecord] = {}

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._records = {r.id: r for r in _read(self.path)} if stamp else {}
            self._stamp = stamp

    def verify(self, presented: str | None) -> KeyRecord | None:
        """The active key record the presented key belongs to, or None."""
        if not presented:
            return None
        key_id, secret = _split(presented.strip())
        if not key_id:
            return None
        self._refresh()
        record = self._records.get(key_id)
        if record is None or not record.active:
            return None
        return record if hmac.compare_digest(record.hash, _digest(record.salt, secret)) else None


def verify(data_dir: Path, presented: str | None) -> KeyRecord | None:
    """One-off check of a key against the file (the API keeps a KeyRing instead)."""
    return KeyRing(data_dir).verify(presented)
