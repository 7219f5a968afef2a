"""Synthetic ownership graphs, written as SPEC.md §5 CSV folders (entities.csv, ownership.csv).

The graph is deterministic for a seed and streamed to disk: memory does not grow with the number of
parties. Its shape follows what registries show:

- parties sit on levels 0-12; level 0 holds the top owners (holdings, funds, states, persons), and every
  company on level L has its main owner on level L-1, so ownership chains run up to 12 deep;
- owners are drawn with a heavy tail inside their level, so a few holdings have thousands of
  subsidiaries and most have one or two;
- most companies have 1-3 owners whose shares sum to at most 100% (about two thirds exactly 100%);
  a few have more owners, and a few have no known owner;
- about 2% of the companies are headquartered in China (some incorporated offshore), and a few parties
  are on sanctions lists;
- shares are exact, or UK PSC bands with an exclusive lower end (">25" to "50"), or 5-point ranges;
- some stakes have start dates, and some holdings changed hands: the former owner's stake ends on the
  day the current one starts;
- a few planted irregularities a quality report must find: ownership cycles (cross-holdings of two
  companies and rings of three), companies holding their own shares (treasury shares), and companies
  whose owners' shares add up to more than 100%.

The folder also gets `manifest.json`, which lists the parties and interests written and the planted
irregularities by party id.

    python -m benchmarks.synthetic --parties 500000 --out DIR --seed 1
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

MAX_DEPTH = 12
# Share of the companies on each level 1..12, in percent of those below level 0.
LEVEL_WEIGHTS = (20, 18, 15, 12, 9, 7, 5, 4, 3, 3, 2, 2)
TOP_SHARE = 0.03  # parties on level 0
ENTITY_COLUMNS = ("id", "name", "kind", "jurisdiction", "headquarters", "nationality", "lists")
OWNERSHIP_COLUMNS = ("owner", "owned", "share", "share_min", "share_max", "interest", "start", "end", "source")

# (jurisdiction, headquarters or None when registries often leave it out, weight)
JURISDICTIONS = (
    ("GB", "GB", 18), ("US-DE", "US", 14), ("US-NY", "US", 4), ("DE", "DE", 10), ("FR", "FR", 7),
    ("NL", "NL", 6), ("LU", None, 4), ("IE", "IE", 3), ("CH", "CH", 4), ("JP", "JP", 5), ("SG", "SG", 3),
    ("HK", "HK", 3), ("KY", None, 2), ("IT", "IT", 4), ("ES", "ES", 3), ("SE", "SE", 2), ("NO", "NO", 1),
    ("DK", "DK", 1), ("CA", "CA", 2), ("AU", "AU", 2), ("IN", "IN", 2), ("KR", "KR", 1), ("BR", "BR", 1),
)
# China-headquartered companies: incorporated at home, or through offshore vehicles.
CN_JURISDICTIONS = (("CN", 60), ("HK", 15), ("KY", 15), ("VG", 10))
CN_RATE = 0.02
NATIONALITIES = ("GB", "US", "DE", "FR", "IT", "ES", "NL", "CH", "JP", "IN", "CN", "RU", "BR", "CA", "AU")
REGISTRIES = {
    "GB": "Companies House PSC", "US": "SEC Schedule 13D", "DE": "Handelsregister", "FR": "RNE",
    "NL": "KvK extract", "LU": "Luxembourg RBE", "IE": "CRO", "CH": "Zefix", "JP": "EDINET",
    "CN": "SAMR filing", "HK": "HK Companies Registry", "KY": "annual report",
}
SOURCE_COUNTRIES = tuple(REGISTRIES)
FIRST_WORDS = (
    "North", "Silver", "Harbour", "Granite", "Lotus", "Dragon", "Alpine", "Baltic", "Cobalt", "Summit",
    "Meridian", "Atlas", "Orion", "Pacific", "Nordic", "Golden", "Crescent", "Evergreen", "Falcon", "Horizon",
    "Iron", "Jade", "Keystone", "Lakeside", "Maple", "Oak", "Pinnacle", "Quartz", "Redwood", "Sterling",
)
SECOND_WORDS = (
    "Bridge", "Peak", "Capital", "Energy", "Logistics", "Robotics", "Shipping", "Analytics", "Textiles",
    "Mining", "Foods", "Pharma", "Semiconductors", "Media", "Telecom", "Materials", "Chemicals", "Software",
    "Marine", "Aviation", "Retail", "Property", "Finance", "Solar", "Optics", "Machinery", "Cloud", "Data",
)
SUFFIXES = {"GB": "Ltd", "US": "Inc", "DE": "GmbH", "FR": "SAS", "NL": "B.V.", "LU": "S.a r.l.", "CH": "AG",
            "JP": "K.K.", "CN": "Co Ltd", "IT": "S.p.A.", "ES": "SL", "SE": "AB", "NO": "AS", "DK": "A/S"}
GIVEN = ("Anna", "Li", "James", "Maria", "Wei", "Hans", "Sofia", "Kenji", "Olga", "Pierre", "Aisha", "Carlos")
FAMILY = ("Smith", "Wang", "Muller", "Rossi", "Tanaka", "Ivanova", "Dubois", "Chen", "Garcia", "Novak")
FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2024, 12, 31)


@dataclass
class Manifest:
    """What one generated folder holds, and the irregularities planted in it."""

    seed: int
    parties: int = 0
    interests: int = 0  # rows of ownership.csv
    persons: int = 0
    cn_headquartered: int = 0
    ended: int = 0  # interests with an end date (all in the past)
    ranges: int = 0  # interests given as a range rather than an exact share
    max_depth: int = 0
    cycles: list[list[str]] = field(default_factory=list)  # each: the party ids of one ring
    self_holdings: list[str] = field(default_factory=list)
    over_allocated: dict[str, float] = field(default_factory=dict)  # id -> owners' shares summed (%)


def party_id(index: int) -> str:
    return f"S{index:07d}"


class Levels:
    """Which parties sit on which level: contiguous index ranges, level 0 first."""

    def __init__(self, parties: int) -> None:
        top = max(3, int(parties * TOP_SHARE))
        rest = max(0, parties - top)
        total = sum(LEVEL_WEIGHTS)
        self.bounds = [(0, top)]
        start = top
        for level, weight in enumerate(LEVEL_WEIGHTS, 1):
            end = parties if level == MAX_DEPTH else min(parties, start + rest * weight // total)
            self.bounds.append((start, end))
            start = end

    def level_of(self, index: int) -> int:
        for level, (start, end) in enumerate(self.bounds):
            if start <= index < end:
                return level
        raise IndexError(index)

    def nearest_below(self, level: int) -> int:
        """The closest non-empty level under `level` (level 0 is never empty)."""
        below = level - 1
        while below > 0 and self.bounds[below][0] == self.bounds[below][1]:
            below -= 1
        return below


class Generator:
    def __init__(self, parties: int, seed: int) -> None:
        if parties < 20:
            raise ValueError("a synthetic graph needs at least 20 parties")
        self.n = parties
        self.rng = random.Random(seed)
        self.levels = Levels(parties)
        self.manifest = Manifest(seed=seed)
        self.cycle_edge: dict[int, tuple[int, int]] = {}  # owned -> (owner, hundredths) of a planted ring
        self.treasury: dict[int, int] = {}  # company -> hundredths it holds of itself
        self.over: set[int] = set()
        self._plant()

    # -- planted irregularities -------------------------------------------------------------------
    def _plant(self) -> None:
        """Choose the rings, treasury shares and over-allocated companies before streaming."""
        rng = self.rng
        taken: set[int] = set()
        first, last = self.levels.bounds[1][0], self.levels.bounds[3][1]  # levels 1-3

        def free_run(length: int) -> list[int] | None:
            for _ in range(100):
                start = rng.randrange(first, max(first + 1, last - length + 1))
                run = list(range(start, start + length))
                if run[-1] < last and not taken.intersection(run) and \
                        len({self.levels.level_of(i) for i in run}) == 1:
                    taken.update(run)
                    return run
            return None

        for ring in range(max(1, self.n // 50_000)):
            members = free_run(2 + ring % 2)  # cross-holdings and rings of three, alternately
            if members is None:
                break
            for pos, owned in enumerate(members):
                owner = members[pos - 1]  # the last holds the first: a ring
                self.cycle_edge[owned] = (owner, rng.randint(200, 1500))
            self.manifest.cycles.append([party_id(i) for i in members])
        for _ in range(max(1, self.n // 60_000)):
            run = free_run(1)
            if run:
                self.treasury[run[0]] = rng.randint(100, 500)
                self.manifest.self_holdings.append(party_id(run[0]))
        for _ in range(max(1, self.n // 80_000)):
            run = free_run(1)
            if run:
                self.over.add(run[0])

    # -- parties ----------------------------------------------------------------------------------
    def party_row(self, index: int) -> list[str]:
        rng = self.rng
        level = self.levels.level_of(index)
        lists = []
        roll = rng.random()
        if roll < 0.0002:
            lists.append("ofac-sdn")
        elif roll < 0.0003:
            lists.append("bis-entity-list")
        if level == 0 and index % 3 == 1:
            self.manifest.persons += 1
            nationality = [rng.choice(NATIONALITIES)]
            if rng.random() < 0.05:
                nationality.append(rng.choice(NATIONALITIES))
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            return [party_id(index), name, "person", "", "", ";".join(dict.fromkeys(nationality)), ";".join(lists)]
        if level == 0 and index % 97 == 0:
            country = rng.choice(NATIONALITIES)
            return [party_id(index), f"Ministry of Finance ({country})", "state", country, country, "",
                    ";".join(lists)]
        if rng.random() < CN_RATE:
            jurisdiction = weighted(rng, CN_JURISDICTIONS)
            headquarters = "CN"
            self.manifest.cn_headquartered += 1
        else:
            jurisdiction, headquarters = weighted(rng, [((j, h), w) for j, h, w in JURISDICTIONS])
        kind = "fund" if level == 0 and index % 5 == 0 else "company"
        words = [rng.choice(FIRST_WORDS), rng.choice(SECOND_WORDS)]
        if kind == "fund":
            words.append("Fund")
        elif level < 2:
            words.append("Holdings")
        words.append(SUFFIXES.get((headquarters or jurisdiction)[:2], "Ltd"))
        name = " ".join(words)
        return [party_id(index), name, kind, jurisdiction, headquarters or "", "", ";".join(lists)]

    # -- interests --------------------------------------------------------------------------------
    def pick(self, level: int) -> int:
        """A party on `level` (or the nearest level above it that has parties), heavily biased towards the
        first ones: a few hold many."""
        start, end = self.levels.bounds[self.levels.nearest_below(level + 1)]
        return start + int((end - start) * self.rng.random() ** 3)

    def interest_rows(self, index: int) -> list[list[str]]:
        rng = self.rng
        level = self.levels.level_of(index)
        if level == 0:
            return []
        rows: list[list[str]] = []
        budget = 10_000 if rng.random() < 0.65 else rng.randint(2_000, 9_999)  # hundredths of a percent
        planted = []
        if index in self.cycle_edge:
            planted.append(self.cycle_edge[index])
        if index in self.treasury:
            planted.append((index, self.treasury[index]))
        budget -= sum(h for _, h in planted)
        roll = rng.random()
        owners_wanted = 0 if roll < 0.03 else 1 if roll < 0.45 else 2 if roll < 0.75 else 3 if roll < 0.93 \
            else rng.randint(4, 8)
        if index in self.over:
            owners_wanted = max(owners_wanted, 2)
            budget = 10_000 + rng.randint(500, 2_000)
        owners: list[int] = []
        if owners_wanted:
            owners.append(self.pick(self.levels.nearest_below(level)))
        for _ in range(owners_wanted - 1):
            for _attempt in range(10):  # co-owners come from any level above
                candidate = self.pick(rng.randrange(level))
                if candidate not in owners:
                    owners.append(candidate)
                    break
        if index in self.over and len(owners) < 2:  # one owner cannot hold more than 100%
            self.over.discard(index)
            budget = 10_000 - sum(h for _, h in planted)
        shares = split(rng, budget, len(owners)) if owners else []
        exact_only = index in self.over
        for owner, hundredths in zip(owners, shares):
            start = self.maybe_date(0.4)
            if start and rng.random() < 0.1 and level > 1:
                former = self.pick(self.levels.nearest_below(level))
                if former != owner and former not in owners:
                    began = random_day(rng, FIRST_DAY, start - timedelta(days=1))
                    rows.append(self.stake(former, index, hundredths, "shareholding", began, start, exact_only))
                    self.manifest.ended += 1
            rows.append(self.stake(owner, index, hundredths, "shareholding", start, None, exact_only))
            roll = rng.random()
            if roll < 0.03:
                rows.append(self.stake(owner, index, hundredths, "voting-rights", start, None, exact_only))
            elif roll < 0.04:
                rows.append(self.stake(owner, index, None, "appointment-of-board", start, None, exact_only))
        for owner, hundredths in planted:
            rows.append(self.stake(owner, index, hundredths, "shareholding", self.maybe_date(0.4), None, True))
        if index in self.over:
            self.manifest.over_allocated[party_id(index)] = sum(shares) / 100
        return rows

    def stake(self, owner: int, owned: int, hundredths: int | None, interest: str, start: date | None,
              end: date | None, exact_only: bool) -> list[str]:
        rng = self.rng
        share = share_min = share_max = ""
        if hundredths is not None:
            roll = 1.0 if exact_only else rng.random()
            if roll < 0.12 and hundredths > 2_500:
                low, high = ((25, 50), (50, 75), (75, 100))[min(2, (hundredths - 1) // 2_500 - 1)]
                share_min, share_max = f">{low}", str(high)
                self.manifest.ranges += 1
            elif roll < 0.18:
                low = min(95, hundredths // 500 * 5)
                share_min, share_max = str(low), str(low + 5)
                self.manifest.ranges += 1
            else:
                share = percent(hundredths)
        source = REGISTRIES[SOURCE_COUNTRIES[owned % len(SOURCE_COUNTRIES)]]
        return [party_id(owner), party_id(owned), share, share_min, share_max, interest,
                start.isoformat() if start else "", end.isoformat() if end else "", source]

    def maybe_date(self, rate: float) -> date | None:
        return random_day(self.rng, date(2000, 1, 1), LAST_DAY) if self.rng.random() < rate else None

    # -- the folder -------------------------------------------------------------------------------
    def write(self, folder: Path) -> Manifest:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "entities.csv", "w", newline="", encoding="utf-8", buffering=1 << 20) as ent, \
                open(folder / "ownership.csv", "w", newline="", encoding="utf-8", buffering=1 << 20) as own:
            parties, stakes = csv.writer(ent), csv.writer(own)
            parties.writerow(ENTITY_COLUMNS)
            stakes.writerow(OWNERSHIP_COLUMNS)
            for index in range(self.n):
                parties.writerow(self.party_row(index))
                rows = self.interest_rows(index)
                stakes.writerows(rows)
                self.manifest.interests += len(rows)
                if rows:
                    self.manifest.max_depth = max(self.manifest.max_depth, self.levels.level_of(index))
            self.manifest.parties = self.n
        (folder / "manifest.json").write_text(json.dumps(asdict(self.manifest), indent=1))
        return self.manifest


def weighted(rng: random.Random, choices) -> str:
    total = sum(w for _, w in choices)
    roll = rng.random() * total
    for value, weight in choices:
        roll -= weight
        if roll < 0:
            return value
    return choices[-1][0]


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` hundredths in `parts` positive parts, the largest first (the main owner's)."""
    if parts == 1:
        return [total]
    while True:  # no single part above 100% (a total above 100% is split among several owners)
        cuts = sorted(rng.sample(range(1, total), parts - 1))
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total])]
        if max(sizes) <= 10_000:
            return sorted(sizes, reverse=True)


def percent(hundredths: int) -> str:
    whole, cents = divmod(hundredths, 100)
    return f"{whole}.{cents:02d}" if cents else str(whole)


def random_day(rng: random.Random, first: date, last: date) -> date:
    span = (last - first).days
    return first + timedelta(days=rng.randint(0, max(0, span)))


def generate(parties: int, out: Path, seed: int = 1) -> Manifest:
    """Write a synthetic ownership graph of `parties` parties to the folder `out`."""
    return Generator(parties, seed).write(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, required=True, help="number of parties")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    manifest = generate(args.parties, args.out, args.seed)
    print(f"{args.out}: {manifest.parties} parties, {manifest.interests} interests, depth {manifest.max_depth}, "
          f"{len(manifest.cycles)} cycles, {len(manifest.self_holdings)} self-holdings, "
          f"{len(manifest.over_allocated)} over-allocated")


if __name__ == "__main__":
    main()
