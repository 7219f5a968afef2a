"""The case report in real headless Chromium: opened from the party page, its verdict, policy hash, data
version, control paths drawn and every interest's sources; printed to PDF by Chromium (page.pdf) and its
text read back with pypdf; a clear party's report gives its direct owners' sources instead."""

from __future__ import annotations

import io
import unicodedata

import pytest
import test_web_page as web
from test_web_casework import open_party

from ownergraph.graph.policy import builtin_policies
from ownergraph.graph.store import SCHEMA_VERSION

ARTIFACTS = web.ARTIFACTS
base_url, browser, page = web.base_url, web.browser, web.page  # the page's fixtures: uvicorn, Chromium
READY = "() => ['ready', 'error'].includes(document.getElementById('report').dataset.state)"

pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra (pip install -e '.[test]')")


def facts(report) -> dict[str, str]:
    return dict(report.evaluate("""() => [...document.querySelectorAll('#r-facts tr')]
        .map(tr => [tr.cells[0].innerText.trim(), tr.cells[1].innerText.trim()])"""))


def open_report(page, base_url, query: str):
    page.goto(f"{base_url}/static/report.html?{query}")
    page.wait_for_function(READY)
    return page


def test_case_report_from_the_page_printed_to_pdf(page, base_url, tmp_path):
    open_party(page, base_url, "VANTAGE", "restricted")
    page.wait_for_function("() => document.getElementById('report-link').href.includes('party=')")
    errors: list[str] = []
    page.context.on("weberror", lambda e: errors.append(str(e.error)))
    with page.context.expect_page() as opened:
        page.click("#report-link")
    report = opened.value
    report.wait_for_function(READY, timeout=90_000)
    assert report.get_attribute("#report", "data-state") == "ready", report.inner_text("#message")
    assert report.inner_text("#r-title") == "Case report: Vantage Robotics B.V."
    shown = facts(report)
    policy = builtin_policies()["cn-majority"]
    assert shown["Verdict"] == "RESTRICTED" and shown["Reason"] == "ownership"
    assert shown["Policy hash"] == policy.hash() and shown["Policy"].startswith("cn-majority: ")
    assert shown["Restricted share"].startswith("100%") and "above the threshold" in shown["Margin"]
    assert "evaluated on demand" in shown["Data version"] and f"schema version {SCHEMA_VERSION}" in shown["Data version"]
    as_of = shown["As of"]
    assert f"as_of={as_of}" in report.url
    # the paths drawn: four parties coloured by status, three deciding interests
    drawn = dict(report.evaluate("""() => [...document.querySelectorAll('#r-drawing g.party')]
        .map(g => [g.dataset.id, g.getAttribute('class').split(' ')[1]])"""))
    assert drawn == {"csv:DRAGON": "seed", "csv:NORDLICHT": "restricted", "csv:RHEINWERK": "restricted",
                     "csv:VANTAGE": "restricted"}
    assert report.locator("#r-drawing line.deciding").count() == 3
    assert "Dragon Peak Holdings Ltd —100%→ Nordlicht" in report.inner_text("#r-path-list")
    # every interest of the paths with its source records
    blocks = report.locator("#r-edges .edge-evidence")
    assert blocks.count() == 3
    evidence = report.inner_text("#r-edges")
    for source in ("Luxembourg RCS filing", "Handelsregister HRB 12345", "KvK extract"):
        assert source in evidence
    report.screenshot(path=str(ARTIFACTS / "report-vantage.png"), full_page=True)

    pdf = report.pdf(format="A4", print_background=True)
    (ARTIFACTS / "report-vantage.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(unicodedata.normalize("NFKC", text).split())  # Chromium's PDF writes "fi" as a ligature
    assert len(reader.pages) >= 2  # the sources start on a page of their own
    for expected in ("Case report: Vantage Robotics B.V.", "RESTRICTED", policy.hash(), "cn-majority", as_of,
                     "Luxembourg RCS filing", "Handelsregister HRB 12345", "KvK extract",
                     "Rheinwerk Beteiligungs GmbH (restricted) holds 100% of Vantage Robotics B.V."):
        assert expected in flat, expected
    assert "Print or save as PDF" not in flat and "Back to the investigator page" not in flat
    records = report.evaluate("() => [...document.querySelectorAll('#r-edges td.record')].map(td => td.innerText)")
    assert len(records) == 3 and all(r and r in flat for r in records), (records, flat)
    assert page.problems == [] and errors == []


def test_an_indeterminate_verdict_marks_the_ranged_interest_as_deciding(page, base_url):
    open_report(page, base_url, "party=BALTIC&policy=cn-majority")
    assert page.inner_text("#r-badge").lower() == "indeterminate"
    deciding = page.evaluate("() => [...document.querySelectorAll('#r-edges .edge-evidence.deciding')].map(b => b.dataset.edge)")
    assert deciding == ["csv:RHEINWERK→csv:BALTIC:shareholding:2021-05-01"]
    assert "(25–50]%" in page.inner_text("#r-edges") and "Registru centras" in page.inner_text("#r-edges")
    assert "undecided" in facts(page)["Margin"]
    assert page.problems == []


def test_a_clear_party_reports_its_direct_owners_and_their_sources(page, base_url):
    open_report(page, base_url, "party=FJORD&policy=cn-majority&as_of=2024-06-01")
    assert facts(page)["Verdict"] == "CLEAR" and facts(page)["As of"] == "2024-06-01"
    assert page.inner_text("#r-evidence-title") == "The party's direct owners and their sources"
    assert page.locator("#r-edges .edge-evidence").count() == 2
    assert page.inner_text("#r-edges").count("Bronnoysund register") == 2
    assert page.is_hidden("#r-paths")
    page.screenshot(path=str(ARTIFACTS / "report-fjord.png"), full_page=True)
    assert page.problems == []


def test_a_report_without_a_party_or_of_an_unknown_one_says_so(page, base_url):
    open_report(page, base_url, "policy=cn-majority")
    assert page.get_attribute("#report", "data-state") == "error" and "No party given" in page.inner_text("#message")
    open_report(page, base_url, "party=NO-SUCH-PARTY")
    assert "NO-SUCH-PARTY" in page.inner_text("#message")
