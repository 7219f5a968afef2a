"""The restricted-lists page in real headless Chromium: before `ownergraph closure` it says to run it; after,
it lists the demo's restricted and indeterminate parties of each policy, links each to its party page and
exports the list as CSV."""

from __future__ import annotations

import csv
import io

import test_web_page as web
from test_web_casework import BADGE

from ownergraph.graph.materialise import materialise
from ownergraph.graph.policy import builtin_policies

ARTIFACTS = web.ARTIFACTS
base_url, browser, page = web.base_url, web.browser, web.page  # the page's fixtures: uvicorn, Chromium
SETTLED = "() => ['ready', 'error'].includes(document.getElementById('list').dataset.state)"
CN_RESTRICTED = {"csv:DRAGON", "csv:SHENZHEN", "csv:NORDLICHT", "csv:RHEINWERK", "csv:VANTAGE", "csv:COBALT",
                 "csv:IBERIA"}


def listed(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('#list-table tbody tr td:first-child a')]"
                         ".map(a => decodeURIComponent(a.getAttribute('href')).split('/party/')[1].split('?')[0])")


def settle(page) -> None:
    page.wait_for_function(SETTLED)
    page.wait_for_function("() => document.getElementById('list-table').dataset.state !== 'loading'")


def test_before_a_closure_the_page_says_to_run_ownergraph_closure(page, base_url):
    page.goto(f"{base_url}/static/lists.html")
    settle(page)
    assert page.get_attribute("#list", "data-state") == "error"
    assert "ownergraph closure" in page.inner_text("#message")
    assert [p for p in page.problems if "/v1/policies/cn-majority/parties" not in p] == []


def test_after_the_closure_the_demos_lists_by_policy_and_status(page, base_url, store, tmp_path):
    for policy in builtin_policies().values():  # what `ownergraph closure` builds: every aggregate policy
        if policy.method == "aggregate":
            materialise(store, policy)
    page.goto(f"{base_url}/static/lists.html")
    settle(page)
    assert page.get_attribute("#list", "data-state") == "ready", page.inner_text("#message")
    assert set(listed(page)) == CN_RESTRICTED
    statuses = page.locator("#list-table tbody .status").all_inner_texts()
    assert statuses.count("restricted (seed)") == 2 and len(statuses) == 7
    summary = page.inner_text("#closure-facts")
    assert "7 restricted parties under cn-majority" in summary and builtin_policies()["cn-majority"].hash() in summary
    page.screenshot(path=str(ARTIFACTS / "lists-cn-majority.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#list-table .export-csv")
    saved = tmp_path / "list.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert {r["id"] for r in rows} == CN_RESTRICTED and {r["policy_hash"] for r in rows} == {
        builtin_policies()["cn-majority"].hash()}

    page.select_option("#status", "indeterminate")
    page.wait_for_function("() => location.search.includes('status=indeterminate')")
    settle(page)
    assert listed(page) == ["csv:BALTIC"]
    page.select_option("#policy", "ofac-50")
    page.select_option("#status", "restricted")
    page.wait_for_function("() => location.search.includes('policy=ofac-50') && location.search.includes('status=restricted')")
    settle(page)
    page.wait_for_function("() => document.getElementById('closure-facts').textContent.includes('ofac-50')")
    assert listed(page) == ["csv:ANCHOR", "csv:VOLGA"]
    assert "ofac-sdn" in page.inner_text("#list-table tbody")

    # a party of the list opens on the investigator page under the list's policy and date
    page.click("#list-table tbody a:has-text('Anchor Marine Services Ltd')")
    page.wait_for_function(BADGE.format("restricted"))
    assert "policy=ofac-50" in page.url and page.input_value("#policy") == "ofac-50"
    assert page.problems == []


def test_an_integrated_policy_has_no_list_and_says_why(page, base_url):
    page.goto(f"{base_url}/static/lists.html?policy=cn-effective")
    settle(page)
    assert page.get_attribute("#list", "data-state") == "error" and "integrated" in page.inner_text("#message")
