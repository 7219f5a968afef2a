"""Screening in the page, in real headless Chromium: a CSV file uploaded, its rows shown with match, score,
candidates and verdict, and the result downloaded: the same file the API (and `ownergraph screen`) writes."""

from __future__ import annotations

import csv
import io

import httpx
import test_web_page as web

ARTIFACTS = web.ARTIFACTS
base_url, browser, page = web.base_url, web.browser, web.page  # the page's fixtures: uvicorn, Chromium
SETTLED = "() => ['ready', 'error'].includes(document.getElementById('screen').dataset.state)"
COUNTERPARTIES = (
    b"ref,id,name,country,notes\n"
    b"c1,VANTAGE,,,by its CSV id\n"
    b"c2,,Fjord Sensors AS,NO,by name\n"
    b"c3,,Dragon Peak Holdings Limited,,by name with the legal form spelt out\n"
    b"c4,,Nobody Known Trading Ltd,GB,no such party\n"
    b"c5,,\"Unterminated, quote,GB,bad line\n"
    b"c6,,=cmd|' /C calc'!A0,,a formula\n"
)


def upload(page, data: bytes, name: str = "counterparties.csv") -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.evaluate("() => { document.getElementById('screen').dataset.state = 'submitted'; }")
    page.click("#run")
    page.wait_for_function(SETTLED)


def shown_rows(page) -> dict[str, list[str]]:
    rows = page.evaluate("""() => [...document.querySelectorAll('#results-table tbody tr')]
        .map(tr => [...tr.cells].map(td => td.innerText.trim()))""")
    return {r[0]: r for r in rows}


def test_upload_a_csv_see_the_rows_and_download_the_result(page, base_url, tmp_path):
    page.goto(f"{base_url}/static/screen.html")
    page.wait_for_function("() => document.querySelectorAll('#policy option').length > 0")
    upload(page, COUNTERPARTIES)
    assert page.get_attribute("#screen", "data-state") == "ready", page.inner_text("#message")
    rows = shown_rows(page)
    assert list(rows) == ["c1", "c2", "c3", "c4", "line 6", "c6"]
    # columns: ref, input, match, score, party, verdict, reason, share, candidates, error
    assert rows["c1"][2:4] == ["identifier", "100"] and rows["c1"][4].startswith("Vantage Robotics B.V.")
    assert rows["c1"][5:8] == ["restricted", "ownership", "100%"]
    assert rows["c2"][2] == "name" and rows["c2"][5] == "clear"
    assert rows["c3"][2] == "name" and rows["c3"][5:7] == ["restricted", "seed"]
    assert "Dragon Peak Holdings Ltd" in rows["c3"][8]  # the candidates considered, with their scores
    assert rows["c4"][2] == "none" and rows["c4"][5] == "—"
    assert rows["line 6"][2] == "none" and "unterminated quote" in rows["line 6"][9]
    summary = page.inner_text("#screen-facts")
    assert summary.startswith("6 rows · 1 by identifier · 2 by name · 0 ambiguous · 3 not matched · 1 with errors")
    assert "2 restricted · 0 indeterminate · 1 clear" in summary
    page.screenshot(path=str(ARTIFACTS / "screen-upload.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("screening-counterparties-cn-majority-")
    got = saved.read_text(encoding="utf-8")
    # the same file as the API's CSV answer for the same upload (what `ownergraph screen --out` writes)
    expected = httpx.post(f"{base_url}/v1/screen", params={"format": "csv"},
                          files={"file": ("counterparties.csv", COUNTERPARTIES, "text/csv")}).text
    assert got == expected
    result = {r["ref"]: r for r in csv.DictReader(io.StringIO(got))}
    assert result["c1"]["verdict"] == "restricted" and result["c6"]["input_name"].startswith("'=")

    # another policy: screened again under it
    page.select_option("#policy", "ofac-50")
    upload(page, COUNTERPARTIES)
    assert shown_rows(page)["c1"][5] == "clear" and "ofac-50" in page.inner_text("#screen-facts")
    assert page.problems == []


def test_a_file_that_cannot_be_screened_says_why(page, base_url):
    page.goto(f"{base_url}/static/screen.html")
    page.wait_for_function("() => document.querySelectorAll('#policy option').length > 0")
    upload(page, b"company,place\nVantage,NL\n", "wrong.csv")
    assert page.get_attribute("#screen", "data-state") == "error"
    message = page.inner_text("#message")
    assert "wrong.csv" in message and "id or a name column" in message
    assert page.is_disabled("#download")
