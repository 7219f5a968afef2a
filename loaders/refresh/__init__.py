"""The refresh: bring the graph up to date with its sources, keep history, recompute what changed.

For each source (loaders/sources.py) and each of its dated files not applied yet, oldest first:

1. **stage and diff** (nothing written): the file is read with its format's reader; every record is
   reduced to its group key (a party: its first identifier; a stake: owner, owned, interest type, start
   and declaration as the source gives them) and a fingerprint of what it says. Comparing with what the
   source said last time gives new, changed, unchanged and (snapshots only) dropped groups. A file that
   cannot be read fails the run here, before any write.
2. **apply**: new and changed records go through the loaders' sink, like `ownergraph load`. Stakes keep
   their history: a changed stake ends its current period on the snapshot date and a new period starts
   that day; a stake a snapshot no longer reports is ended on the snapshot date by a Provenance record of
   the source ("absent from the snapshot of ...", with the run that ended it). Nothing is deleted: a
   party a source drops is marked (`absent_from`), and what the source last said stays on its
   SourceRecord. List memberships a source stops stating end that day.
3. **recompute**: the materialised closures move to the snapshot date, recomputing only the parties
   downstream of what changed (graph/incremental.py); verdict changes are logged (graph/changes.py).
4. **remember**: what the source said is written last (SourceRecord per group, SourceState per source).
   Every step before it can be repeated with the same result, so a run killed anywhere and run again
   ends where one clean run would.

What a source said last time is kept in the graph, one (:SourceRecord {source, rkey, parts, start,
interest}) per group, not as a marker on every Provenance node: a nightly run then writes only the
groups that changed (a `last_seen` marker would rewrite all ~1M records every night), and reading the
state back is one indexed scan streamed into a dict (about 3 s and a few hundred MB per million groups).
Provenance keys also name the file and line, which move from one snapshot to the next; group keys don't.

Runs are recorded as (:RefreshRun) nodes; one run at a time, under an exclusive lock file in the data
directory; a second refresh or scheduler refuses while it is held.
"""

from ownergraph.graph.errors import RefreshBusy
from ownergraph.loaders.refresh.apply import Applied, SourceReport, apply, period, restate
from ownergraph.loaders.refresh.lock import LOCK, SCHEDULER_LOCK, locked
from ownergraph.loaders.refresh.run import RunReport, history, refresh
from ownergraph.loaders.refresh.schedule import run_scheduled
from ownergraph.loaders.refresh.stage import Diff, Said, SnapshotRefused, group_of, stage
from ownergraph.loaders.refresh.state import keep_said, read_state, remember, said_before

__all__ = ["LOCK", "SCHEDULER_LOCK", "Applied", "Diff", "RefreshBusy", "RunReport", "Said", "SnapshotRefused",
           "SourceReport", "apply", "group_of", "history", "keep_said", "locked", "period", "read_state",
           "refresh", "remember", "restate", "run_scheduled", "said_before", "stage"]
