"""Who is writing to the graph: one token per write under way, and which of them are dead.

A write (graph/writes.py) puts its token on the `writers` Meta node while it runs. A token names the
host, the process (its id and start time) and the moment the write began, so a later write can tell a
write that died (SIGKILL, a power cut) from one still under way: on the same host, its process is gone
(or is another process with a reused id), or, in this very process, the write object is gone (its load
raised); on another host, it began more than MAX_AGE ago.
"""

from __future__ import annotations

import os
import secrets
import socket
import weakref
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ownergraph.graph.store import Store

MAX_AGE = timedelta(hours=24)  # a write on another host older than this is taken for dead
_held: weakref.WeakValueDictionary[str, object] = weakref.WeakValueDictionary()


def _started(pid: int) -> str | None:
    """The process's start time (clock ticks since boot, Linux), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except FileNotFoundError:
        return None
    except OSError:  # no /proc: only whether the process exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "?"


def token(owner: object) -> str:
    """A new token for a write held by `owner` (kept alive by it, in this process)."""
    pid = os.getpid()
    made = "|".join([socket.gethostname(), str(pid), _started(pid) or "?",
                     datetime.now(UTC).isoformat(timespec="seconds"), secrets.token_hex(4)])
    _held[made] = owner
    return made


def forget(made: str) -> None:
    _held.pop(made, None)


def is_dead(made: str, now: datetime | None = None) -> bool:
    try:
        host, pid_text, started, begun, _ = made.split("|")
        pid, began = int(pid_text), datetime.fromisoformat(begun)
    except ValueError:
        return True  # not a token this code writes
    if host != socket.gethostname():
        return (now or datetime.now(UTC)) - began > MAX_AGE
    if pid == os.getpid():
        return made not in _held
    now_started = _started(pid)
    return now_started is None or (started not in ("?", now_started) and now_started != "?")


def dead(store: Store) -> list[str]:
    """The tokens of writes that died without taking their token off."""
    rows = store.run("writes/writers_get")
    return [t for t in (rows[0]["tokens"] if rows else []) if is_dead(t)]
