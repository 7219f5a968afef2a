"""The verdict changes page in real headless Chromium, on changes a real nightly refresh recorded: two
snapshots of a small registry in which a Chinese holder buys a majority."""

from __future__ import annotations

import csv
import io
from datetime import date

import httpx
import pytest
import test_web_page as web
from test_refresh import snapshot, write_config

from ownergraph.loaders.refresh import refresh
from ownergraph.loaders.sources import RefreshSettings

ARTIFACTS = web.ARTIFACTS
base_url, browser, page = web.base_url, web.browser, web.page  # the page's fixtures: uvicorn, Chromium
D1, D2 = date(2024, 1, 31), date(2024, 4, 30)
PARTIES = {"KITE": "Kite Rotors GmbH,company,DE,DE,,", "JADE": "Jade River Capital Co Ltd,company,CN,CN,,",
           "LOCALX": "Local Holders plc,company,GB,GB,,"}
SETTLED = "() => ['ready', 'error'].includes(document.getElementById('changes').dataset.state)"


@pytest.fixture(scope="module")
def refreshed(base_url, store, tmp_path_factory):
    """Two nightly runs: on 30 April Jade River (headquartered in China) holds 70% of Kite Rotors."""
    root = tmp_path_factory.mktemp("refresh")
    snapshot(root / "registry", D1, PARTIES, ["JADE,KITE,40,,2020-01-01,", "LOCALX,KITE,60,,2020-01-01,"])
    snapshot(root / "registry", D2, PARTIES, ["JADE,KITE,70,,2020-01-01,", "LOCALX,KITE,30,,2020-01-01,"])
    config = write_config(root / "ownergraph.yaml", root / "registry", policies=("cn-majority",))
    runs = [refresh(RefreshSettings(data_dir=root / "data"), config, today=day, store=store) for day in (D1, D2)]
    assert [r.status for r in runs] == ["succeeded", "succeeded"], [r.error for r in runs]
    return runs


def test_the_changes_feed_as_a_table(page, base_url, refreshed, tmp_path):
    page.goto(f"{base_url}/static/changes.html?since=2000-01-01")
    page.wait_for_function(SETTLED)
    assert page.get_attribute("#changes", "data-state") == "ready", page.inner_text("#message")
    rows = page.evaluate("""() => [...document.querySelectorAll('#changes-table tbody tr')]
        .map(tr => [...tr.cells].map(td => td.innerText.trim()))""")
    kite = [r for r in rows if "csv:KITE" in r[1]]
    assert len(kite) == 1, rows
    (change,) = kite
    assert change[1].startswith("Kite Rotors GmbH") and change[2] == "cn-majority"
    assert change[3].replace(" ", "") == "clear→restricted" and change[4] == D2.isoformat()
    assert change[5] and change[6] and change[7] == refreshed[1].id  # causes, witness interests, the run
    page.screenshot(path=str(ARTIFACTS / "changes.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#changes-table .export-csv")
    saved = tmp_path / "changes.csv"
    download.value.save_as(saved)
    exported = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    feed = httpx.get(f"{base_url}/v1/changes", params={"since": "2000-01-01"}).json()["changes"]
    assert [(r["party_id"], r["old"], r["new"], r["date"], r["run"]) for r in exported] == [
        (c["party"]["id"], c["old"], c["new"], c["date"], c["run"]) for c in feed]

    page.select_option("#policy", "ofac-50")
    page.wait_for_function("() => location.search.includes('policy=ofac-50')")
    page.wait_for_function(SETTLED)
    assert "No verdict changed in this period." in page.inner_text("#changes-table")
    assert page.problems == []


def test_changes_since_a_later_date_and_a_date_that_is_not_one(page, base_url, refreshed):
    page.goto(f"{base_url}/static/changes.html?since=2999-01-01")
    page.wait_for_function(SETTLED)
    assert "0 changes recorded since 2999-01-01" in page.inner_text("#changes-facts")
    page.goto(f"{base_url}/static/changes.html?since=yesterday")
    page.wait_for_function(SETTLED)
    assert "is not a date" in page.inner_text("#message") and page.input_value("#since") != "yesterday"
    assert page.problems == []
