"""The page's "What would clear it": flip points on a verdict, and a share edited and recomputed as a
hypothesis, in a real headless Chromium against the app on loopback (fixtures of test_web_page)."""

from __future__ import annotations

from test_web_page import ARTIFACTS, base_url, browser, page  # noqa: F401  (pytest fixtures)

NORDLICHT = "Nordlicht Investments S.a r.l.'s 60% in Rheinwerk Beteiligungs GmbH must fall to 50% or less"


def open_party(page, base_url, party: str, verdict: str) -> None:  # noqa: F811
    page.goto(f"{base_url}/#/party/{party}")
    page.wait_for_function("v => document.getElementById('badge').textContent === v", arg=verdict)
    page.wait_for_function("() => !document.getElementById('whatif').hidden")


def test_vantage_lists_what_would_clear_it_and_recomputes_a_hypothetical_share(page, base_url):  # noqa: F811
    open_party(page, base_url, "VANTAGE", "restricted")
    assert page.locator("#whatif-title").inner_text() == "What would clear it"
    item = page.locator("#flip-list li", has_text=NORDLICHT)
    assert item.count() == 1

    item.get_by_role("spinbutton").fill("50")
    item.get_by_role("button", name="Recompute").click()
    page.wait_for_function("() => document.getElementById('hypothesis').dataset.state === 'shown'")
    assert page.locator("#hypothesis-badge").inner_text().lower() == "clear"
    assert "hypothetical, not saved" in page.locator("#hypothesis").inner_text().lower()
    assert "Nordlicht Investments S.a r.l. holds 50% of Rheinwerk Beteiligungs GmbH" in page.locator(
        "#hypothesis-change").inner_text()
    assert page.locator("#badge").inner_text().lower() == "restricted"  # the recorded verdict stays
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "whatif-vantage.png"), full_page=True)

    item.get_by_role("spinbutton").fill("50.5")
    item.get_by_role("button", name="Recompute").click()
    page.wait_for_function("() => document.getElementById('hypothesis-badge').textContent === 'restricted'")

    page.reload()  # nothing was saved
    open_party(page, base_url, "VANTAGE", "restricted")
    assert page.locator("#hypothesis").is_hidden()
    assert page.problems == []


def test_baltic_and_fjord_show_their_flip_points(page, base_url):  # noqa: F811
    open_party(page, base_url, "BALTIC", "indeterminate")
    texts = page.locator("#flip-list li").all_inner_texts()
    assert any("more than 25% and at most 50% in Baltic Data UAB must fall to 40% or less" in t for t in texts)
    assert any("would be restricted if Rheinwerk Beteiligungs GmbH's stake in Baltic Data UAB were more than 40%" in t
               for t in texts)
    open_party(page, base_url, "COBALT", "restricted")
    assert any("Nordlicht Investments S.a r.l.'s 25% in Cobalt Ridge Analytics Inc must fall to 20% or less" in t
               for t in page.locator("#flip-list li").all_inner_texts())
    open_party(page, base_url, "FJORD", "clear")
    assert page.locator("#whatif-title").inner_text() == "What would make it restricted"
    assert any("were more than 50%" in t for t in page.locator("#flip-list li").all_inner_texts())
    assert page.problems == []


def test_iberia_control_interest_is_tried_without_it(page, base_url):  # noqa: F811
    open_party(page, base_url, "IBERIA", "restricted")
    item = page.locator("#flip-list li", has_text="gave up the right to appoint the board")
    assert item.get_by_role("spinbutton").count() == 0  # a control interest has no share to edit
    item.get_by_role("button", name="Recompute without it").click()
    page.wait_for_function("() => document.getElementById('hypothesis').dataset.state === 'shown'")
    assert page.locator("#hypothesis-badge").inner_text().lower() == "clear"
    assert "Dragon Peak Holdings Ltd gives up its appointment-of-board interest in Iberia Cloud SL" in page.locator(
        "#hypothesis-change").inner_text()
    page.click("#hypothesis-reset")
    assert page.locator("#hypothesis").is_hidden()
    assert page.problems == []
