"""The fast readers give what the plain ones gave, and stream: no database.

- GLEIF XML: lxml gives the records (and on a broken file, the records and the reject) of the standard
  library's parser, on the real files and on files shaped to tell parsers apart;
- JSON records: orjson gives what json gives, and json still decides what orjson does not read;
- each reader yields its first record before it has read the whole file, and reads a large file in a
  memory that does not grow with it.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path

import pytest
from conftest import shared_data

from ownergraph.loaders import files, gleif_xml
from ownergraph.loaders.reading import items
from ownergraph.loaders.records import Reject

HEAD = ('<?xml version="1.0" encoding="{encoding}"?>\n{doctype}'
        '<lei:LEIData xmlns:lei="http://www.gleif.org/data/schema/leidata/2016"><lei:LEIHeader>'
        '<lei:ContentDate>2024-01-01T00:00:00Z</lei:ContentDate></lei:LEIHeader><lei:LEIRecords>')
RECORD = ('<lei:LEIRecord><lei:LEI>{lei}</lei:LEI><lei:Entity><lei:LegalName>{name}</lei:LegalName>'
          '<lei:LegalAddress><lei:City>Köln</lei:City><lei:Country>DE</lei:Country></lei:LegalAddress>'
          '<lei:LegalJurisdiction>DE</lei:LegalJurisdiction></lei:Entity></lei:LEIRecord>\n')
TAIL = "</lei:LEIRecords></lei:LEIData>"


def lei(i: int) -> str:
    return f"5493001KJTIIGC8Y{i:04d}"


def xml(records: list[str], encoding: str = "UTF-8", doctype: str = "") -> str:
    return HEAD.format(encoding=encoding, doctype=doctype) + "".join(records) + TAIL


def standard(path: Path):
    """What the standard library's parser (the reader before lxml) gives for a file."""
    for name, handle in files.open_binaries(path):
        yield from gleif_xml._standard_records(name, handle)


def both(path: Path) -> tuple[list, list]:
    return list(gleif_xml.iter_records(path)), list(standard(path))


def test_lxml_gives_the_standard_parsers_records_on_the_real_gleif_files():
    folder = shared_data("gleif", "bodspipelines", "tests", "fixtures")
    paths = sorted(folder.glob("*.xml"))
    assert len(paths) >= 9
    for path in paths:
        fast, plain = both(path)
        assert fast == plain, path.name
        assert fast and not any(isinstance(r, Reject) for r in fast)


@pytest.mark.parametrize("case", ["comments and instructions", "cdata and entities", "internal entity",
                                  "latin-1", "repeated elements", "no records", "other container"])
def test_lxml_and_the_standard_parser_agree_on_files_shaped_to_tell_them_apart(tmp_path, case):
    records = [RECORD.format(lei=lei(i), name=f"Alpha {i}") for i in range(3)]
    doctype, encoding = "", "UTF-8"
    if case == "comments and instructions":
        records[1] = records[1].replace("<lei:LegalName>", "<!-- a --><lei:LegalName>x<!-- b -->y<?pi z?>")
    elif case == "cdata and entities":
        records[1] = records[1].replace("Alpha 1", "<![CDATA[A & <B>]]> &amp; C &#x4E2D;")
    elif case == "internal entity":
        doctype = '<!DOCTYPE lei:LEIData [<!ENTITY co "Company &amp; Co">]>\n'
        records[1] = records[1].replace("Alpha 1", "&co;")
    elif case == "latin-1":
        encoding = "ISO-8859-1"
    elif case == "repeated elements":
        records[1] = records[1].replace("</lei:LegalAddress>", "<lei:AdditionalAddressLine>1</lei:AdditionalAddressLine>"
                                        "<lei:AdditionalAddressLine>2</lei:AdditionalAddressLine></lei:LegalAddress>")
    elif case == "no records":
        records = []
    elif case == "other container":
        records.append("<lei:Other><lei:LEIRecord><lei:LEI>X</lei:LEI></lei:LEIRecord></lei:Other>")
    path = tmp_path / "lei.xml"
    path.write_bytes(xml(records, encoding, doctype).encode("latin-1" if encoding != "UTF-8" else "utf-8"))
    fast, plain = both(path)
    assert fast == plain
    if case != "no records":
        assert [r[3]["LEI"] for r in fast if not isinstance(r, Reject)][:3] == [lei(0), lei(1), lei(2)]


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9, 0.999])
def test_a_cut_or_broken_xml_file_gives_the_records_and_the_reject_of_the_standard_parser(tmp_path, cut):
    text = xml([RECORD.format(lei=lei(i), name=f"Alpha {i}") for i in range(400)])
    plain = tmp_path / "cut.xml"
    plain.write_text(text[:int(len(text) * cut)])
    fast, expected = both(plain)
    assert fast == expected and isinstance(fast[-1], Reject) and "malformed XML" in fast[-1].reason
    broken = tmp_path / "broken.xml"
    broken.write_text(text.replace(f"<lei:LEI>{lei(300)}</lei:LEI>", f"<lei:LEI>{lei(300)}</lei:LIE>"))
    fast, expected = both(broken)
    assert fast == expected and len(fast) == 301 and "mismatched tag" in fast[-1].reason
    zipped = tmp_path / "cut.xml.gz"
    whole = gzip.compress(text.encode())
    zipped.write_bytes(whole[:int(len(whole) * cut)])
    fast: list = []
    for reader in (gleif_xml.iter_records, standard):
        got: list = []
        try:
            for record in reader(zipped):
                got.append(record)
        except files.FILE_ERRORS as exc:
            got.append(type(exc))
        fast.append(got)
    assert fast[0] == fast[1]


def test_a_record_deeper_than_libxml2_reads_is_read_by_the_standard_parser(tmp_path):
    deep = RECORD.format(lei=lei(1), name="Deep").replace("</lei:Entity>", "<x>" * 5000 + "</x>" * 5000
                                                           + "</lei:Entity>")
    path = tmp_path / "deep.xml"
    path.write_text(xml([RECORD.format(lei=lei(0), name="A"), deep, RECORD.format(lei=lei(2), name="C")]))
    fast, plain = both(path)
    assert [r[3]["LEI"] for r in fast] == [r[3]["LEI"] for r in plain] == [lei(0), lei(1), lei(2)]
    assert fast[0] == plain[0] and fast[2] == plain[2]
    assert fast[1][3]["Entity"]["LegalName"] == "Deep" and "x" in fast[1][3]["Entity"]


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2, "b": [1.5, -0, "x\\u00e9"]}', '{"n": NaN}', '{"big": 123456789012345678901}',
                                  '{"x": 1e400}', '{"s": "\\ud800"}', '{"x": ', '[1, 2', '{"a": "\udc80"}',
                                  '{"a": ' + "[" * 950 + "]" * 950 + "}"])
def test_orjson_gives_what_json_gives_and_json_decides_the_rest(text):
    got = files.parsed("f", "line 1", text)
    try:
        expected = ("f", "line 1", json.loads(text)) if files.undecodable(text) is None else None
    except (ValueError, RecursionError):
        expected = None
    if expected is None:
        assert isinstance(got, Reject)
    else:
        assert repr(got) == repr(expected)  # repr: nan != nan, and int stays int


def _write(path: Path, fmt: str, count: int) -> Path:
    if fmt == "gleif":
        path.write_text(xml([RECORD.format(lei=f"5493{i:014d}12", name=f"Company {i}") for i in range(count)]))
    elif fmt == "csv":
        path.mkdir()
        (path / "entities.csv").write_text("id,name,headquarters\n" + "".join(f"E{i},Company {i},DE\n"
                                                                            for i in range(count)))
    else:
        lines = []
        for i in range(count):
            if fmt == "psc":
                obj: dict = {"company_number": f"{i:08d}", "data": {
                    "kind": "individual-person-with-significant-control", "name": f"Person {i}",
                    "natures_of_control": ["ownership-of-shares-25-to-50-percent"],
                    "links": {"self": f"/company/{i:08d}/persons-with-significant-control/individual/p{i}"}}}
            elif fmt == "bods":
                obj = {"statementId": f"s{i}", "recordId": f"r{i}", "recordType": "entity",
                       "statementDate": "2020-01-01", "recordDetails": {
                           "entityType": {"type": "registeredEntity"}, "name": f"Company {i}"}}
            else:
                obj = {"id": f"c{i}", "schema": "Company", "properties": {"name": [f"Company {i}"]}}
            lines.append(json.dumps(obj))
        path.write_text("\n".join(lines) + "\n")
    return path


FORMATS = ["gleif", "csv", "psc", "ftm"]


def _positions(folder: Path) -> dict[str, int]:
    """The read position of each file under `folder` that this process holds open (/proc/self/fdinfo)."""
    out = {}
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink()
            if target.is_relative_to(folder):
                out[target.name] = int(Path(f"/proc/self/fdinfo/{fd.name}").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return out


@pytest.mark.skipif(not Path("/proc/self/fdinfo").exists(), reason="reads positions from /proc (Linux)")
@pytest.mark.parametrize("fmt", FORMATS + ["bods"])
def test_a_reader_yields_its_first_record_before_it_has_read_the_file(tmp_path, fmt):
    path = _write(tmp_path / f"big.{fmt}", fmt, 10_000)
    file = path / "entities.csv" if path.is_dir() else path
    records = items(path, fmt)
    first = next(records)
    assert not isinstance(first, Reject), first
    position = _positions(tmp_path)[file.name]
    assert 0 < position < file.stat().st_size / 10, (position, file.stat().st_size)
    records.close()


# what a reader remembers per record, by format: nothing (csv, psc), or the ids it must know later in the
# file (GLEIF: the LEIs named so far, for the parties a relationship names; FtM: the parties, for the
# list memberships of its Sanction entities; BODS: each record's history); never the records themselves
REMEMBERED = {"csv": 0, "psc": 0, "gleif": 200, "ftm": 200, "bods": 1000}


@pytest.mark.parametrize("fmt", FORMATS + ["bods"])
def test_a_reader_holds_no_record_it_has_given(tmp_path, fmt):
    def peak(count: int) -> int:
        path = _write(tmp_path / f"{count}.{fmt}", fmt, count)
        tracemalloc.start()
        try:
            for _ in items(path, fmt):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(200)  # caches and imports warmed
    small, large = peak(1_000), peak(8_000)
    assert large - small < 7_000 * REMEMBERED[fmt] + 300_000, (small, large)
