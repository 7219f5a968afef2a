"""The source formats ownergraph reads, and how a path's format is told from its content.

Each format is a module of `loaders` with two functions:

    read(path: Path) -> Iterator[PartyRecord | StakeRecord | Reject]
    sniff(path: Path) -> bool    # does this file (or folder) hold this format? (by content)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from ownergraph.graph.errors import OwnergraphError
from ownergraph.loaders import files
from ownergraph.loaders.records import Item

Reader = Callable[[Path], Iterator[Item]]

# format name -> module; detection tries them in this order
MODULES: dict[str, str] = {
    "csv": "ownergraph.loaders.csv_folder",
    "bods": "ownergraph.loaders.bods",
    "gleif": "ownergraph.loaders.gleif",
    "psc": "ownergraph.loaders.psc",
    "ftm": "ownergraph.loaders.ftm",
}


class UnknownFormat(OwnergraphError, ValueError):
    """A path whose format cannot be told (or a --format that names none)."""

    status = 422


def _module(fmt: str):
    try:
        return importlib.import_module(MODULES[fmt])
    except KeyError:
        raise UnknownFormat(f"unknown format {fmt!r} (known: {', '.join(MODULES)})") from None
    except ModuleNotFoundError as exc:
        raise UnknownFormat(f"format {fmt!r} is not available: {exc}") from None


def _installed() -> Iterator[tuple[str, ModuleType]]:
    """Each format's module, in detection order, imported only when reached: a CSV folder is told
    without importing the FollowTheMoney model."""
    for fmt, name in MODULES.items():
        try:
            yield fmt, importlib.import_module(name)
        except ModuleNotFoundError:
            continue


def available() -> list[str]:
    return [fmt for fmt, _ in _installed()]


def detect(path: Path) -> str:
    """The format of a file or folder, from what it holds."""
    for fmt, module in _installed():
        try:
            if module.sniff(path):
                return fmt
        except files.FILE_ERRORS:
            continue
    cause = files.diagnose(path)
    if cause:
        raise UnknownFormat(f"{path}: {cause}")
    raise UnknownFormat(f"{path}: cannot tell its format from its content; pass --format")


def reader(fmt: str) -> Reader:
    return _module(fmt).read
