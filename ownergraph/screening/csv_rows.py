"""Screening lists as CSV: one row per line in, one result per row out.

Every line after the header is one counterparty (blank lines are skipped). A line that cannot be read (an
unterminated quote, more or fewer fields than the header, a value longer than a JSON row may carry, neither
an id nor a name) still gives a row, with `error` saying why, and is not matched: a quoted value cannot
span lines, so one bad line never swallows the lines after it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from ownergraph.screening.rows import Row

CSV_COLUMNS = ("ref", "id", "name", "country")
RESULT_COLUMNS = ("ref", "input_id", "input_name", "input_country", "match", "score", "party_id", "party_name",
                  "verdict", "reason", "restricted_share_min", "restricted_share_max", "policy", "policy_hash",
                  "as_of", "candidates", "error")
MAX_CHARS = {"ref": 500, "id": 500, "name": 500, "country": 10}  # as for a JSON row (api/models.ScreenRow)

_LINES = re.compile(r"\r\n|\n|\r")


def _fields(line: str) -> list[str]:
    return next(csv.reader([line], strict=True))


def _row(number: int, line: str, header: dict[str, int], width: int) -> Row:
    where = f"line {number}"
    try:
        fields = _fields(line)
    except csv.Error as exc:
        reason = "an unterminated quote" if "end of data" in str(exc) else f"bad quoting ({exc})"
        return Row(ref=where, error=f"{where}: cannot be read: {reason}")
    values = {c: (fields[i].strip() or None) if i < len(fields) else None for c, i in header.items()}
    cut = {c: v[:MAX_CHARS[c]] if v else v for c, v in values.items()}
    row = Row(ref=cut.get("ref") or where, id=cut.get("id"), name=cut.get("name"), country=cut.get("country"))
    if len(fields) != width:
        row.error = f"{where}: {len(fields)} fields where the header has {width}"
    elif long := [c for c, v in values.items() if v and len(v) > MAX_CHARS[c]]:
        row.error = f"{where}: {long[0]} longer than {MAX_CHARS[long[0]]} characters ({len(values[long[0]] or '')})"
    elif not (row.id or row.name):
        row.error = f"{where}: neither an id nor a name"
    return row


def read_csv(text: str, max_rows: int) -> list[Row]:
    """Rows from CSV text with a header naming some of ref, id, name, country (others are ignored).

    ValueError when the header cannot be used; OverflowError past max_rows rows.
    """
    lines = _LINES.split(text.lstrip("\ufeff"))
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise ValueError("the CSV is empty: it needs a header with an id or a name column")
    try:
        names = [h.strip().lower() for h in _fields(lines[start])]
    except csv.Error as exc:
        raise ValueError(f"the CSV header cannot be read: {exc}") from None
    header = {c: names.index(c) for c in CSV_COLUMNS if c in names}
    if not ({"id", "name"} & header.keys()):
        raise ValueError("the CSV header needs an id or a name column")
    rows: list[Row] = []
    for number, line in enumerate(lines[start + 1:], start=start + 2):
        if not line.strip():
            continue
        if len(rows) >= max_rows:
            raise OverflowError(f"more than {max_rows} rows")
        rows.append(_row(number, line, header, len(names)))
    return rows


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # a spreadsheet must not read a party name as a formula
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(results: list[dict], policy: str, policy_hash: str, as_of: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for r in results:
        v = r["verdict"] or {}
        share = v.get("restricted_share") or {}
        party = r["party"] or {}
        candidates = "; ".join(f"{c['id']} ({c['name'] or 'no name'}) {c['score']:g}" for c in r["candidates"])
        writer.writerow([_cell(x) for x in (
            r["input"]["ref"], r["input"]["id"], r["input"]["name"], r["input"]["country"], r["match"],
            f"{r['score']:g}", party.get("id"), party.get("name"), v.get("verdict"), v.get("reason"),
            share.get("min"), share.get("max"), policy, policy_hash, as_of.isoformat(), candidates, r["error"])])
    return out.getvalue()
