"""Readers alone: records/s and peak memory of each format's reader (file -> parties, stakes, rejects), no database.

    python -m benchmarks readers                         # every format, 200k-record synthetic files
    python -m benchmarks readers --size 50k 400k --runs 3 --out BENCHMARKS.md
    python -m benchmarks.readers read FILE --format gleif   # one file, once: what a whole-process timer runs

Each reader is run as the load runs it (`loaders.reading.items`, with the conflict check), in a child
process of its own, so that its peak RSS (VmHWM) belongs to that read alone; RSS before the read (the
interpreter and the imports) is reported too, and the growth is the difference. The clock starts after the
imports and, for PSC and FtM, after the first country lookup (followthemoney's, through rigour, which
builds its index of territory names then: about 3 s of CPU once per process, reported as `warm`).

Files: the real ones of ../shared/data for each format (small: each is read several times in one
process), and synthetic files generated in --work from those real records, replicated with fresh ids
(LEIs, company numbers, PSC ids, BODS record and statement ids, FtM entity ids) to --size source
records; the CSV folder is benchmarks.synthetic's graph. Two sizes show whether memory grows with the file.

A *record* is a source record: a JSON line, a GLEIF record element, a CSV row. *Items* are what the reader
yields (a PSC line is a company, its PSC and one stake per interest type).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GLEIF = DATA / "gleif" / "bodspipelines" / "tests" / "fixtures"
PSC = DATA / "uk-psc"
BODS = DATA / "bods" / "lib-cove-bods" / "tests" / "fixtures" / "0.4" / "sample_300_statements.json"
KEK = DATA / "ftm" / "followthemoney" / "derived" / "kek.ftm.jsonl"
DEMO = ROOT / "ownergraph" / "demo"
START, END = "<!-- readers:start -->", "<!-- readers:end -->"
TARGETS = {"psc": 50_000, "bods": 50_000, "ftm": 50_000, "csv": 50_000, "gleif-lei": 30_000, "gleif-rr": 30_000}
# benchmark name -> loader format
FORMATS = {"psc": "psc", "bods": "bods", "ftm": "ftm", "csv": "csv", "gleif-lei": "gleif", "gleif-rr": "gleif"}
LEI = re.compile(r"\b[A-Z0-9]{18}[0-9]{2}\b")


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def label(n: int) -> str:
    return f"{n / 1_000_000:g}M" if n >= 1_000_000 else f"{n / 1_000:g}k" if n >= 1_000 else str(n)


# --- the real files ------------------------------------------------------------------------------------


def real_files() -> dict[str, list[Path]]:
    """Benchmark name -> the real files of ../shared/data it reads (missing ones left out)."""
    found = {
        "psc": sorted((PSC / "bods-uk-psc-pipeline" / "tests" / "fixtures").glob("psc-data-*.json")),
        "bods": [BODS],
        "ftm": [KEK],
        "csv": [DEMO],
        "gleif-lei": [GLEIF / n for n in ("lei-data.xml", "lei-updates-data2.xml", "lei-updates-data2-new.xml")],
        "gleif-rr": [GLEIF / n for n in ("rr-data.xml", "rr-updates-data2.xml", "rr-updates-data2-new.xml")],
    }
    return {name: [p for p in paths if p.exists()] for name, paths in found.items()}


def source_records(path: Path, fmt: str) -> int:
    """The source records of a file: JSON lines or array items, GLEIF record elements, CSV rows."""
    if fmt == "csv":
        return sum(max(0, sum(1 for line in open(p, encoding="utf-8") if line.strip()) - 1)
                   for p in (path / "entities.csv", path / "ownership.csv") if p.exists())
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("<"):
        return len(re.findall(r"<(?:\w+:)?(?:LEIRecord|RelationshipRecord|Exception)[\s>]", text))
    if text.lstrip().startswith("["):
        return len(json.loads(text))
    return sum(1 for line in text.splitlines() if line.strip())


# --- synthetic files from the real records ------------------------------------------------------------


def _lei_prefix(copy: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(6):
        copy, rest = divmod(copy, 36)
        out = digits[rest] + out
    return out


def _copies(templates: list, size: int) -> Iterator[tuple[int, object]]:
    """(copy number, template) until `size` records: the templates over and over."""
    for n in range(size):
        copy, index = divmod(n, len(templates))
        yield copy, templates[index]


def gleif_xml(real: Path, out: Path, size: int) -> Path:
    """A GLEIF XML file of `size` records: the real file's records, each copy's LEIs renamed alike (its
    first six characters the copy number), so relationships stay between records of one copy."""
    text = real.read_text(encoding="utf-8")
    first = re.search(r"<(\w+:)?(LEIRecord|RelationshipRecord|Exception)[\s>]", text)
    assert first, real
    prefix, element = first.group(1) or "", first.group(2)
    closing = f"</{prefix}{element}>"
    records = re.findall(rf"<{prefix}{element}[\s>].*?{closing}", text, re.S)
    head, tail = text[:first.start()], text[text.rindex(closing) + len(closing):]
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(head)
        for copy, record in _copies(records, size):
            stamp = _lei_prefix(copy)
            handle.write(LEI.sub(lambda m: stamp + m.group()[6:], record) if copy else record)
            handle.write("\n")
        handle.write(tail)
    return out


def psc_lines(out: Path, size: int) -> Path:
    """PSC snapshot JSON lines: the real lines (the totals trailer left out) with fresh company numbers
    and PSC ids for each copy."""
    templates = []
    for path in real_files()["psc"]:
        for obj in json.loads(path.read_text(encoding="utf-8")):
            if obj.get("data", {}).get("kind", "").startswith("totals#"):
                continue
            templates.append(obj)
    numbers = {n: i for i, n in enumerate(dict.fromkeys(str(t.get("company_number", "")) for t in templates))}
    with open(out, "w", encoding="utf-8") as handle:
        for copy, template in _copies(templates, size):
            assert isinstance(template, dict)
            old = str(template.get("company_number", ""))
            letters = re.match(r"[A-Z]*", old).group()  # type: ignore[union-attr]
            new = letters + str(copy * len(numbers) + numbers[old]).zfill(8 - len(letters))
            line = json.loads(json.dumps(template).replace(old, new)) if old else template
            links = line.get("data", {}).get("links") or {}
            if links.get("self"):
                links["self"] = f"{links['self']}{copy:x}"
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return out


def _renamed(value: object, ids: set[str], suffix: str) -> object:
    """A JSON value with every string that is one of `ids` given `suffix`."""
    if isinstance(value, str):
        return value + suffix if value in ids else value
    if isinstance(value, list):
        return [_renamed(v, ids, suffix) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, ids, suffix) for k, v in value.items()}
    return value


def _renamed_lines(templates: list[dict], ids: set[str], out: Path, size: int) -> Path:
    with open(out, "w", encoding="utf-8") as handle:
        for copy, template in _copies(templates, size):
            obj = _renamed(template, ids, f"-{copy}") if copy else template
            handle.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return out


def bods_lines(out: Path, size: int) -> Path:
    """BODS 0.4 JSON lines: the real statements with fresh record and statement ids for each copy."""
    templates = json.loads(BODS.read_text(encoding="utf-8"))
    ids = {t[k] for t in templates for k in ("recordId", "statementId") if isinstance(t.get(k), str)}
    return _renamed_lines(templates, ids, out, size)


def ftm_lines(out: Path, size: int) -> Path:
    """FtM JSON lines: the KEK network with fresh entity ids for each copy (owners and assets follow)."""
    templates = [json.loads(line) for line in KEK.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = {t["id"] for t in templates}
    return _renamed_lines(templates, ids, out, size)


def csv_folder(out: Path, size: int) -> Path:
    """benchmarks.synthetic's graph, with about `size` rows in entities.csv and ownership.csv together."""
    from benchmarks.synthetic import generate

    generate(max(10, size // 3), out)  # about two interests per party
    return out


def synthetic(name: str, work: Path, size: int) -> Path:
    """The synthetic file of a benchmark at a size, generated once into `work` and kept."""
    work.mkdir(parents=True, exist_ok=True)
    suffix = {"psc": ".jsonl", "bods": ".jsonl", "ftm": ".ftm.jsonl", "csv": "", "gleif-lei": ".xml",
              "gleif-rr": ".xml"}[name]
    path = work / f"{name}-{label(size)}{suffix}"
    done = path.with_name(path.name + ".done")
    if done.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    if name == "psc":
        psc_lines(partial, size)
    elif name == "bods":
        bods_lines(partial, size)
    elif name == "ftm":
        ftm_lines(partial, size)
    elif name == "csv":
        csv_folder(partial, size)
    else:
        real = GLEIF / ("lei-data.xml" if name == "gleif-lei" else "rr-data.xml")
        gleif_xml(real, partial, size)
    partial.rename(path)
    done.write_text(str(source_records(path, FORMATS[name])))
    return path


# --- one read, in a child process ---------------------------------------------------------------------


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc (VmRSS now, VmHWM its peak): getrusage's ru_maxrss
    would start from the parent's resident size at the fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_once(path: Path, fmt: str, repeat: int = 1) -> dict:
    """Read a file `repeat` times as the load does; counts, median seconds per pass and memory."""
    from ownergraph.loaders import formats, reading
    from ownergraph.loaders.records import Reject

    formats.reader(fmt)  # the reader's imports before the clock starts
    began = time.process_time()
    if fmt in ("psc", "ftm"):  # the first country lookup builds rigour's index of territory names (~3 s once)
        from followthemoney.types import registry

        registry.country.clean("England")
    warm = time.process_time() - began
    before = status_mb("VmRSS")
    times, cpu, counts = [], [], {}
    for _ in range(repeat):
        counts = {"parties": 0, "stakes": 0, "rejects": 0}
        began, began_cpu = time.perf_counter(), time.process_time()
        for item in reading.items(path, fmt, reading.Conflicts()):
            if isinstance(item, Reject):
                counts["rejects"] += 1
            elif hasattr(item, "owner"):
                counts["stakes"] += 1
            else:
                counts["parties"] += 1
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    peak = status_mb("VmHWM")
    return {**counts, "items": sum(counts.values()), "seconds": statistics.median(times),
            "cpu_seconds": statistics.median(cpu), "warm_cpu_seconds": round(warm, 2), "runs": repeat,
            "rss_before_mb": round(before, 1), "peak_mb": round(peak, 1)}


def measure(path: Path, fmt: str, repeat: int, profile: Path | None = None) -> dict:
    """read_once in a child process of its own (its peak RSS is that read's alone)."""
    command = [sys.executable, "-m", "benchmarks.readers", "read", str(path), "--format", fmt,
               "--repeat", str(repeat), "--json"]
    if profile:
        command += ["--profile", str(profile)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report ---------------------------------------------------------------------------------------


def run(names: list[str], sizes: list[int], runs: int, work: Path, real_repeat: int,
        profile_dir: Path | None) -> list[dict]:
    rows = []
    reals = real_files()
    for name in names:
        fmt = FORMATS[name]
        paths = reals.get(name, [])
        if paths:
            results = [measure(p, fmt, real_repeat) for p in paths]
            files = ", ".join(p.name for p in paths) if len(paths) <= 3 else f"{paths[0].name} and {len(paths) - 1} more"
            rows.append({"name": name, "file": f"real: {files}", "records": sum(source_records(p, fmt) for p in paths),
                         **{k: sum(r[k] for r in results) for k in ("items", "rejects", "seconds", "cpu_seconds")},
                         "peak_mb": max(r["peak_mb"] for r in results),
                         "rss_before_mb": max(r["rss_before_mb"] for r in results)})
            print(_line(rows[-1]), flush=True)
        for size in sizes:
            path = synthetic(name, work, size)
            records = int(path.with_name(path.name + ".done").read_text())
            profile = profile_dir / f"{name}-{label(size)}.prof" if profile_dir else None
            results = [measure(path, fmt, 1, profile) for _ in range(runs)]
            median = sorted(results, key=lambda r: r["cpu_seconds"])[len(results) // 2]
            rows.append({"name": name, "file": f"synthetic {label(size)}", "records": records,
                         **{k: median[k] for k in ("items", "rejects", "seconds", "cpu_seconds", "rss_before_mb")},
                         "peak_mb": max(r["peak_mb"] for r in results)})
            print(_line(rows[-1]), flush=True)
    return rows


def _line(row: dict) -> str:
    return (f"{row['name']:10} {row['file'][:50]:50} {row['records']:>9,} records {row['items']:>9,} items "
            f"{row['records'] / row['cpu_seconds']:>9,.0f} records/CPU-s {row['records'] / row['seconds']:>9,.0f} "
            f"records/s  peak {row['peak_mb']:.0f} MB (+{row['peak_mb'] - row['rss_before_mb']:.0f})")


def render(rows: list[dict], command: str) -> str:
    cpu = platform.processor() or platform.machine()
    out = [START, "", f"`{command}` on {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}: each "
           "reader in a process of its own, on one core; synthetic files: the median of the runs by CPU time. "
           "records/s is per CPU second of the reading process (the machine is shared; wall-clock rates are "
           "lower when other work runs); peak RSS is the process's (VmHWM), with its growth over the RSS "
           "after the imports.",
           "", "| reader | file | records | items | rejects | records/s (CPU) | items/s (CPU) | records/s (wall) "
           "| peak RSS MB (growth) | target |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        rate = row["records"] / row["cpu_seconds"]
        target = TARGETS[row["name"]]
        verdict = "" if row["file"].startswith("real") else (
            f">= {target // 1000}k: met" if rate >= target else f">= {target // 1000}k: {rate / target:.0%}")
        out.append(f"| {row['name']} | {row['file']} | {row['records']:,} | {row['items']:,} | {row['rejects']:,} "
                   f"| {rate:,.0f} | {row['items'] / row['cpu_seconds']:,.0f} | {row['records'] / row['seconds']:,.0f} "
                   f"| {row['peak_mb']:.0f} (+{row['peak_mb'] - row['rss_before_mb']:.0f}) | {verdict} |")
    out += ["", END]
    return "\n".join(out)


def write_report(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Readers\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["read"]:
        return _read_command(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m benchmarks readers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--size", nargs="*", default=["200k"], help="synthetic file sizes in source records")
    parser.add_argument("--runs", type=int, default=3, help="reads of each synthetic file (median)")
    parser.add_argument("--real-repeat", type=int, default=20, help="reads of each real file in one process")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ownergraph-readers"),
                        help="generated files, kept between runs")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="write a cProfile of each synthetic read here")
    parser.add_argument("--out", type=Path, help="write the table into this file (e.g. BENCHMARKS.md)")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.size]
    if any(not (1_000 <= s <= 5_000_000) for s in sizes):
        parser.error("sizes from 1k to 5m records")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    rows = run(args.only, sizes, args.runs, args.work, args.real_repeat, args.profile)
    command = "python -m benchmarks readers " + " ".join(argv)
    block = render(rows, command.strip())
    print(block)
    if args.out:
        write_report(args.out, block)
        print(f"wrote {args.out}")


def _read_command(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.readers read")
    parser.add_argument("path", type=Path)
    parser.add_argument("--format", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        result = read_once(args.path, args.format, args.repeat)
        profiler.disable()
        profiler.dump_stats(args.profile)
    else:
        result = read_once(args.path, args.format, args.repeat)
    print(json.dumps(result) if args.json else
          f"{args.path}: {result['items']:,} items ({result['rejects']:,} rejects) in {result['seconds']:.2f} s, "
          f"peak {result['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
