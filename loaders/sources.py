"""The registries a refresh reads, as configuration (`ownergraph.yaml`), and their dated files.

```yaml
policies: [cn-majority, ofac-50]          # aggregate policies kept materialised (default: the built-in ones)
sources:
  - name: uk-psc
    format: psc                            # auto | csv | bods | gleif | psc | ftm
    location: /data/psc                    # a local folder of dated files, or a URL (see below)
    kind: snapshot                         # snapshot: the whole register; delta: only what changed
    schedule: "0 3 * * *"                  # cron: when the scheduler runs this source
    max_drop: 0.5                          # refuse a snapshot that drops more than half of what it said
```

A local location is a folder whose entries carry an ISO date in their name: `2024-01-31/` (a CSV
folder of SPEC.md §5), `psc-2024-01-31.jsonl`, `gleif-2024-01-31.xml.gz`. Each entry is one snapshot (or
one delta) as of that date. A URL location names one file, with `{date}` standing for the day fetched
(`https://example.org/psc-{date}.zip`); it is downloaded into the refresh's staging folder under that
date (a zip holding a CSV folder is unpacked there).
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from croniter import croniter
from pydantic import BaseModel, Field, field_validator, model_validator

from ownergraph.graph.errors import OwnergraphError
from ownergraph.settings import Settings

DATED = re.compile(r"(\d{4}-\d{2}-\d{2})")
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
DEFAULT_POLICIES = ("cn-majority", "ofac-50", "bis-affiliates")


class RefreshSettings(Settings):
    """The product's settings plus those of the refresh (OWNERGRAPH_REFRESH_* variables)."""

    # The sources file read by `ownergraph refresh` when --config is not given.
    refresh_config: Path = Path("ownergraph.yaml")
    # A URL that receives each run's verdict changes as one JSON POST; unset: no webhook.
    refresh_webhook_url: str | None = None
    # Attempts per delivery, and the first pause between them in seconds (doubled after each failure).
    refresh_webhook_attempts: int = 5
    refresh_webhook_backoff: float = 1.0
    # Seconds one webhook request may take.
    refresh_webhook_timeout: float = 10.0
    # Seconds one download of a URL source may take.
    refresh_fetch_timeout: float = 300.0


class ConfigError(OwnergraphError, ValueError):
    """The sources file cannot be read or is not valid."""

    status = 422


class Source(BaseModel):
    name: str
    format: Literal["auto", "csv", "bods", "gleif", "psc", "ftm"] = "auto"
    location: str
    kind: Literal["snapshot", "delta"] = "snapshot"
    schedule: str = "0 3 * * *"
    # the largest fraction of the stakes a snapshot said last time that the next one may leave out;
    # more means a truncated or wrong file, and the snapshot is refused
    max_drop: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("a source name is lower case letters, digits, '-', '_' or '.'")
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(f"not a cron expression: {value!r}")
        return value

    @property
    def remote(self) -> bool:
        return self.location.startswith(("http://", "https://"))


class RefreshConfig(BaseModel):
    sources: list[Source]
    policies: list[str] = Field(default_factory=lambda: list(DEFAULT_POLICIES))

    @model_validator(mode="after")
    def _unique(self) -> RefreshConfig:
        names = [s.name for s in self.sources]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"source names must be unique: {', '.join(twice)}")
        return self


def load_config(path: Path) -> RefreshConfig:
    """The sources file, validated; relative local locations are taken from the file's folder."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        config = RefreshConfig.model_validate(data)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    for source in config.sources:
        if not source.remote and not Path(source.location).is_absolute():
            source.location = str((Path(path).parent / source.location).resolve())
    return config


@dataclass(frozen=True)
class Snapshot:
    """One dated file (or folder) of a source."""

    source: Source
    date: date
    path: Path


def dated(source: Source) -> list[Snapshot]:
    """Every dated entry of a local source folder, oldest first."""
    folder = Path(source.location)
    if not folder.is_dir():
        raise ConfigError(f"source {source.name}: {folder} is not a folder")
    found: dict[date, Path] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        match = DATED.search(entry.name)
        if not match:
            continue
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            continue
        if day in found:
            raise ConfigError(f"source {source.name}: two entries for {day}: {found[day].name}, {entry.name}")
        found[day] = entry
    return [Snapshot(source, day, found[day]) for day in sorted(found)]


def pending(source: Source, after: date | None, today: date, staging: Path, timeout: float = 300.0) -> list[Snapshot]:
    """The snapshots of a source newer than `after` and not later than `today`, oldest first."""
    if source.remote:
        if after is not None and after >= today:
            return []
        fetched = fetch(source, today, staging, timeout)
        return [fetched] if fetched else []
    return [s for s in dated(source) if (after is None or s.date > after) and s.date <= today]


def fetch(source: Source, day: date, staging: Path, timeout: float = 300.0) -> Snapshot | None:
    """Download a URL source's file for a day into the staging folder; None when it is not published (404)."""
    url = source.location.replace("{date}", day.isoformat())
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "snapshot"
    if not DATED.search(name):
        name = f"{day.isoformat()}-{name}"
    folder = staging / source.name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        if exc.code == 404:
            return None
        raise
    partial.replace(target)
    if target.suffix == ".zip" and source.format == "csv":
        unpacked = folder / day.isoformat()
        shutil.rmtree(unpacked, ignore_errors=True)
        with zipfile.ZipFile(target) as archive:
            archive.extractall(unpacked)
        inner = [p for p in unpacked.rglob("ownership.csv")]
        return Snapshot(source, day, inner[0].parent if inner else unpacked)
    return Snapshot(source, day, target)
