"""Casework on the investigator page in real headless Chromium: an interest's sources, the statuses of the
parties an expansion adds, a policy in the URL that does not exist, the margin gauge, and /docs."""

from __future__ import annotations

import re

import test_web_page as web

ARTIFACTS = web.ARTIFACTS
base_url, browser, page = web.base_url, web.browser, web.page  # the page's fixtures: uvicorn, Chromium

BADGE = "() => document.getElementById('badge').textContent === '{}'"


def open_party(page, base_url, party: str, verdict: str) -> None:
    page.goto(f"{base_url}/#/party/{party}")
    page.wait_for_function(BADGE.format(verdict))
    page.wait_for_function("() => window.ownergraph.cy && window.ownergraph.cy.nodes().length >= 2")
    page.wait_for_function("() => document.getElementById('party').dataset.state === 'ready'")


def click_edge(page, source: str, target: str) -> None:
    """Click an interest where Chromium draws the middle of its line."""
    x, y = page.evaluate("""([s, t]) => { const cy = window.ownergraph.cy;
        const e = cy.edges(`[source = "${s}"][target = "${t}"]`); const m = e.renderedMidpoint();
        return [m.x, m.y]; }""", [source, target])
    page.locator("#graph").click(position={"x": x, "y": y})


def test_click_an_interest_shows_its_share_dates_and_source_records(page, base_url):
    open_party(page, base_url, "BALTIC", "indeterminate")
    # the ranged stake decides Baltic's verdict: it is drawn as the deciding interest
    assert page.evaluate("window.ownergraph.cy.edges('[source = \"csv:RHEINWERK\"][target = \"csv:BALTIC\"]')"
                         ".hasClass('deciding')")
    click_edge(page, "csv:RHEINWERK", "csv:BALTIC")
    page.wait_for_function("() => document.getElementById('evidence').dataset.state === 'shown'")
    assert page.locator("#evidence-title").inner_text() == "Rheinwerk Beteiligungs GmbH → Baltic Data UAB"
    facts = page.locator("#evidence-facts").inner_text()
    assert "shareholding" in facts and "(25–50]%" in facts and "from 2021-05-01" in facts
    rows = page.locator("#evidence-sources tr").all_inner_texts()
    assert len(rows) == 1 and "Registru centras" in rows[0] and "ownership.csv" in rows[0]
    assert re.search(r"ownership\.csv:\d+|line \d+|\d", rows[0])
    page.screenshot(path=str(ARTIFACTS / "evidence-baltic.png"), full_page=True)
    assert page.problems == []


def test_keyboard_tab_to_an_interest_and_a_party_then_enter(page, base_url):
    open_party(page, base_url, "VANTAGE", "restricted")
    page.click("#graph-lists summary")
    button = page.locator("#graph-interests button", has_text="Dragon Peak Holdings Ltd → Nordlicht")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('evidence').dataset.state === 'shown'")
    assert "Luxembourg RCS filing" in page.locator("#evidence-sources").inner_text()
    link = page.locator("#graph-parties a", has_text="Rheinwerk Beteiligungs GmbH")
    link.focus()
    page.wait_for_function("() => window.ownergraph.state.selected === 'csv:RHEINWERK'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('party-name').textContent === 'Rheinwerk Beteiligungs GmbH'")
    assert page.problems == []


def test_parties_added_by_show_owners_get_their_status_colour(page, base_url):
    open_party(page, base_url, "FJORD", "clear")
    # a clear party shows its owners: Dragon Peak (a seed) and Alpen (clear) are evaluated in one request
    page.wait_for_function("() => window.ownergraph.cy.getElementById('csv:DRAGON').data('status') === 'seed'")
    page.wait_for_function("() => window.ownergraph.cy.getElementById('csv:ALPEN').data('status') === 'clear'")
    assert page.evaluate("window.ownergraph.cy.getElementById('csv:DRAGON').data('colour')") == "#7f0000"
    text = page.locator("#gauge-text").inner_text()
    assert "5 percentage points below the threshold" in text and "largest 45%" in text
    page.screenshot(path=str(ARTIFACTS / "statuses-fjord.png"), full_page=True)
    assert page.problems == []


def test_restricted_party_shows_how_far_above_the_threshold(page, base_url):
    open_party(page, base_url, "COBALT", "restricted")
    assert "5 percentage points above the threshold" in page.locator("#gauge-text").inner_text()
    assert page.problems == []


def test_unknown_policy_in_the_url_says_so_and_the_next_party_opens(page, base_url):
    page.goto(f"{base_url}/#/party/VANTAGE?policy=nosuch")
    page.wait_for_function("() => !document.getElementById('message').hidden && "
                           "document.getElementById('message').textContent.includes('nosuch')")
    assert page.locator("#message").get_attribute("class") == "error"
    assert page.locator("#party").is_hidden()
    options = page.locator("#policy option").all_inner_texts()
    assert "cn-majority" in options and page.input_value("#policy") == "cn-majority"
    page.goto(f"{base_url}/#/party/COBALT")
    page.wait_for_function(BADGE.format("restricted"))
    assert page.locator("#party-name").inner_text() == "Cobalt Ridge Analytics Inc"
    page.goto(f"{base_url}/#/party/VANTAGE?as_of=2020-13-45")
    page.wait_for_function("() => document.getElementById('message').textContent.includes('is not a date')")
    assert page.problems == []


def test_typing_a_date_asks_for_one_verdict(page, base_url):
    open_party(page, base_url, "VANTAGE", "restricted")
    asked = []
    page.on("request", lambda r: "/verdict?" in r.url and asked.append(r.url))
    field = page.locator("#as-of")
    field.focus()  # on the month
    field.press_sequentially("01012020")  # Chromium's date field: month, day, year
    page.wait_for_function(BADGE.format("clear"))
    page.wait_for_function("() => window.ownergraph.state.verdict.as_of === '2020-01-01'")
    assert [u for u in asked if "as_of=" in u and "as_of=2020-01-01" not in u] == [], asked
    assert page.problems == []


def test_page_at_800_pixels(browser, base_url):
    context = browser.new_context(viewport={"width": 800, "height": 900})
    narrow = context.new_page()
    narrow.goto(f"{base_url}/#/party/VANTAGE")
    narrow.wait_for_function(BADGE.format("restricted"))
    width = narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 800, f"the page scrolls sideways at 800 px ({width} px wide)"
    box = narrow.locator("#graph").bounding_box()
    assert box and box["width"] > 600
    narrow.screenshot(path=str(ARTIFACTS / "party-vantage-800px.png"), full_page=True)
    context.close()


def test_docs_render_swagger_ui_and_redoc(page, base_url):
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".swagger-ui .opblock-summary-path")
    assert page.locator(".swagger-ui .opblock-summary-path", has_text="/v1/statuses").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "docs-swagger.png"))
    page.goto(f"{base_url}/redoc")
    page.wait_for_selector("#redoc h1")
    assert "ownergraph" in page.locator("#redoc h1").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "docs-redoc.png"))
    # ReDoc's sidebar always asks for its maker's logo on cdn.redoc.ly: the policy blocks it, nothing else
    blocked = [p for p in page.problems if "cdn.redoc.ly" in p and "Content Security Policy" in p]
    assert [p for p in page.problems if p not in blocked] == []
