"""The party page's owners and subsidiaries tables in real headless Chromium: statuses in one batch, sorting,
paging past the first page of a 30-owner company, CSV export, and the case report link."""

from __future__ import annotations

import csv
import io
import json

import pytest
import test_web_page as web
from test_web_casework import open_party

from ownergraph.loaders.run import load

ARTIFACTS = web.ARTIFACTS
base_url, browser, page = web.base_url, web.browser, web.page  # the page's fixtures: uvicorn, Chromium

HOLDERS = 29  # Manifold Holdings AG: 29 small holders (1.1% .. 3.9%) and Panda Capital (CN) with 20%
PENDING = "id => !document.querySelector(`#${id} .status.pending`) && document.getElementById(id).dataset.state === 'ready'"


@pytest.fixture(scope="module")
def manifold(base_url, store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("manifold")
    entities = ["MANY,Manifold Holdings AG,company,DE,DE,,", "PANDA,Panda Capital Co Ltd,company,CN,CN,,"]
    entities += [f"H{i:02},Holder {i:02} GmbH,company,DE,DE,," for i in range(1, HOLDERS + 1)]
    stakes = ["PANDA,MANY,20,,,shareholding,2019-01-01,,Handelsregister HRB 999"]
    stakes += [f"H{i:02},MANY,{1 + i / 10:.1f},,,shareholding,2019-01-01,,Handelsregister HRB 999"
               for i in range(1, HOLDERS + 1)]
    (folder / "entities.csv").write_text("id,name,kind,jurisdiction,headquarters,nationality,lists\n"
                                         + "\n".join(entities) + "\n", encoding="utf-8")
    (folder / "ownership.csv").write_text("owner,owned,share,share_min,share_max,interest,start,end,source\n"
                                          + "\n".join(stakes) + "\n", encoding="utf-8")
    load(store, [folder], rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    return "MANY"


def table_rows(page, table: str) -> list[list[str]]:
    return page.evaluate("""id => [...document.querySelectorAll(`#${id} tbody tr`)]
        .map(tr => [...tr.cells].map(td => td.innerText.trim()))""", table)


def sort(page, table: str, column: str) -> None:
    """Click a column's header and wait until the table is drawn again (a sort may ask for statuses first)."""
    page.click(f"#{table} th[data-key={column}] button")
    page.wait_for_function("id => document.getElementById(id).dataset.state === 'ready'", arg=table)


def status_requests(page) -> list[list[str]]:
    """The ids of every POST /v1/statuses the page sends from now on."""
    sent: list[list[str]] = []
    page.on("request", lambda r: r.url.endswith("/v1/statuses") and r.method == "POST"
            and sent.append(json.loads(r.post_data or "{}").get("ids", [])))
    return sent


def downloaded_csv(page, button, tmp_path) -> tuple[str, list[dict]]:
    with page.expect_download() as download:
        page.click(button)
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return download.value.suggested_filename, list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))


def test_owners_and_subsidiaries_with_statuses_sort_and_export(page, base_url, tmp_path):
    sent = status_requests(page)
    open_party(page, base_url, "RHEINWERK", "restricted")
    page.wait_for_function(PENDING, arg="owners-table")
    page.wait_for_function(PENDING, arg="subsidiaries-table")
    owners = table_rows(page, "owners-table")
    assert [(r[0].split(" csv:")[0], r[2], r[3], r[6]) for r in owners] == [
        ("Nordlicht Investments S.a r.l.", "60%", "shareholding", "restricted"),
        ("Alpen Capital AG", "40%", "shareholding", "clear")]
    assert "Handelsregister HRB 12345" in owners[0][7] and owners[0][4] == "2020-06-15" and owners[0][5] == "open"
    subsidiaries = {r[0].split(" csv:")[0]: r for r in table_rows(page, "subsidiaries-table")}
    assert subsidiaries["Baltic Data UAB"][2] == "(25–50]%" and subsidiaries["Baltic Data UAB"][6] == "indeterminate"
    assert subsidiaries["Vantage Robotics B.V."][6] == "restricted" and "KvK extract" in subsidiaries["Vantage Robotics B.V."][7]
    # the rows of both tables were asked for in one request
    both = {"csv:NORDLICHT", "csv:ALPEN", "csv:VANTAGE", "csv:BALTIC"}
    assert any(both <= set(ids) for ids in sent), sent

    sort(page, "owners-table", "share")
    assert [r[2] for r in table_rows(page, "owners-table")] == ["40%", "60%"]
    assert page.get_attribute("#owners-table th[data-key=share]", "aria-sort") == "ascending"
    sort(page, "owners-table", "share")
    assert [r[2] for r in table_rows(page, "owners-table")] == ["60%", "40%"]
    sort(page, "subsidiaries-table", "status")
    assert [r[6] for r in table_rows(page, "subsidiaries-table")] == ["restricted", "indeterminate"]
    page.screenshot(path=str(ARTIFACTS / "tables-rheinwerk.png"), full_page=True)

    name, rows = downloaded_csv(page, "#owners-table .export-csv", tmp_path)
    assert name.startswith("owners-csv_RHEINWERK-cn-majority-")
    assert [(r["owner_id"], r["share"], r["status"]) for r in rows] == [("csv:NORDLICHT", "60%", "restricted"),
                                                                         ("csv:ALPEN", "40%", "clear")]
    assert rows[0]["share_min"] == "60" and rows[0]["start"] == "2020-06-15" and "HRB 12345" in rows[0]["sources"]
    _, rows = downloaded_csv(page, "#subsidiaries-table .export-csv", tmp_path)
    baltic = next(r for r in rows if r["subsidiary_id"] == "csv:BALTIC")
    assert (baltic["share"], baltic["min_exclusive"], baltic["max_exclusive"]) == ("(25–50]%", "true", "false")
    assert page.problems == []


def test_thirty_owners_page_by_page_and_every_row_exported(page, base_url, manifold, tmp_path):
    sent = status_requests(page)
    open_party(page, base_url, manifold, "clear")
    page.wait_for_function(PENDING, arg="owners-table")
    assert page.inner_text("#owners-table .range") == f"rows 1–25 of {HOLDERS + 1}"
    first = table_rows(page, "owners-table")
    assert len(first) == 25 and first[0][0].startswith("Panda Capital Co Ltd") and first[0][6] == "restricted (seed)"
    # the tables asked for the statuses of the 25 rows shown, in one request, and not for the other five
    asked = [ids for ids in sent if "csv:H29" in ids and "csv:MANY" not in ids and len(ids) == 25]
    assert asked and "csv:H01" not in asked[0], sent
    page.click("#owners-table .next")
    page.wait_for_function(PENDING, arg="owners-table")
    second = table_rows(page, "owners-table")
    assert page.inner_text("#owners-table .range") == f"rows 26–{HOLDERS + 1} of {HOLDERS + 1}"
    assert [r[2] for r in second] == ["1.5%", "1.4%", "1.3%", "1.2%", "1.1%"]
    assert all(r[6] == "clear" for r in second)
    assert page.is_disabled("#owners-table .next") and not page.is_disabled("#owners-table .previous")
    page.select_option("#owners-table .page-size", "10")
    assert page.inner_text("#owners-table .range") == f"rows 1–10 of {HOLDERS + 1}"
    sort(page, "owners-table", "share")
    assert table_rows(page, "owners-table")[0][2] == "1.1%"
    sort(page, "owners-table", "party")
    names = [r[0].split(" csv:")[0] for r in table_rows(page, "owners-table")]
    assert names == sorted(names) and names[0] == "Holder 01 GmbH"
    page.screenshot(path=str(ARTIFACTS / "tables-thirty-owners.png"), full_page=True)

    _, rows = downloaded_csv(page, "#owners-table .export-csv", tmp_path)
    assert len(rows) == HOLDERS + 1 and {r["status"] for r in rows} == {"clear", "restricted"}
    assert sum(float(r["share_min"]) for r in rows) == pytest.approx(20 + sum(1 + i / 10 for i in range(1, HOLDERS + 1)))
    assert [r["owner_id"] for r in rows][:2] == ["csv:H01", "csv:H02"]  # in the order shown
    assert page.problems == []


def test_the_case_report_link_follows_the_party_policy_and_date(page, base_url):
    open_party(page, base_url, "VANTAGE", "restricted")
    page.wait_for_function("() => document.getElementById('report-link').href.includes('party=csv%3AVANTAGE')")
    page.select_option("#policy", "ofac-50")
    page.wait_for_function("() => document.getElementById('report-link').href.includes('policy=ofac-50')")
    href = page.get_attribute("#report-link", "href")
    assert "party=csv%3AVANTAGE" in href and "as_of=" in href
    assert page.problems == []
