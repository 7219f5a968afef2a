"""The source formats ownergraph reads, and how a path's format is told from its content."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from loaders import csv_folder
from loaders.records import Item

Reader = Callable[[Path], Iterator[Item]]

READERS: dict[str, Reader] = {
    "csv": csv_folder.read,
}


class UnknownFormat(ValueError):
    pass


def detect(path: Path) -> str:
    """The format of a file or folder, from what it holds."""
    if path.is_dir():
        if (path / "entities.csv").exists() or (path / "ownership.csv").exists():
            return "csv"
        raise UnknownFormat(f"{path}: a folder without entities.csv or ownership.csv")
    if path.name in ("entities.csv", "ownership.csv"):
        return "csv"
    raise UnknownFormat(f"{path}: cannot tell its format; pass --format")


def reader(fmt: str) -> Reader:
    try:
        return READERS[fmt]
    except KeyError:
        raise UnknownFormat(f"unknown format {fmt!r} (known: {', '.join(sorted(READERS))})") from None
