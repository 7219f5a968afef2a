"""A large real graph on the investigator page, in real headless Chromium: the KEK media-ownership network
(../shared/data), where Funk & Fernsehen Nordwestdeutschland GmbH & Co. KG has 51 owners. All 51 are
reached with "next", drawn in a layered layout whose labels stay legible and do not overlap, found by the
graph's search, and exported as a PNG of bounded size with a title band and a legend."""

from __future__ import annotations

import base64
import shutil
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
import test_web_page as web
from conftest import shared_data

from ownergraph.api.app import create_app
from ownergraph.graph.server import free_port
from ownergraph.loaders.run import load
from ownergraph.settings import Settings

ARTIFACTS = web.ARTIFACTS
browser, page = web.browser, web.page  # Chromium and a fresh page per test, as the other page tests have

FFN = "Funk & Fernsehen Nordwestdeutschland GmbH & Co. KG"
MADSACK = "Verlagsgesellschaft Madsack GmbH & Co. KG"
READABLE_PX = 8  # the smallest label size, in screen pixels, that Fit may leave
EXPORT_MAX_WIDTH = 2000


@pytest.fixture(scope="module")
def kek_url(store, tmp_path_factory):
    """The page and API served by uvicorn on loopback, over the whole KEK network."""
    import uvicorn

    kek = shared_data("ftm", "followthemoney", "derived", "kek.ftm.jsonl")
    load(store, [kek], rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    port = free_port()
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("data")), store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def open_by_search(page, url: str, query: str, name: str) -> str:
    """Search a party as a user would, open it, and wait until its verdict, graph and flip points are in."""
    page.goto(url)
    page.fill("#search", query)
    page.press("#search", "Enter")
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_function("() => document.getElementById('party').dataset.state === 'ready'")
    page.wait_for_function("() => document.getElementById('graph').dataset.state === 'ready'")
    assert page.locator("#party-name").inner_text() == name
    return page.evaluate("window.ownergraph.state.party.id")


def related(page, url: str, party: str, direction: str) -> dict:
    answer = page.request.get(f"{url}/v1/parties/{party}/{direction}?depth=1&limit=500")
    assert answer.ok, answer.text()
    return answer.json()


def graph_ids(page) -> set[str]:
    return set(page.evaluate("window.ownergraph.cy.nodes().not('.group').map(n => n.id())"))


def illegible_labels(page) -> list:
    """Parties drawn (visible) whose label is rendered smaller than READABLE_PX at the current zoom."""
    return page.evaluate("""px => { const cy = window.ownergraph.cy;
        return cy.nodes(':visible').not('.group').filter(n => n.numericStyle('font-size') * cy.zoom() < px)
                 .map(n => [n.id(), n.numericStyle('font-size') * cy.zoom()]); }""", READABLE_PX)


def overlapping_parties(page) -> list:
    """Pairs of visible parties whose boxes (the node and its label) intersect."""
    return page.evaluate("""() => { const cy = window.ownergraph.cy;
        const boxes = cy.nodes(':visible').not('.group').map(n => [n.id(),
            n.boundingBox({ includeNodes: true, includeLabels: true, includeOverlays: false })]);
        const pairs = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const [a, p] = boxes[i], [b, q] = boxes[j];
          if (p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2) pairs.push([a, b]);
        }
        return pairs; }""")


def in_view(page, party: str) -> bool:
    return page.evaluate("""id => { const cy = window.ownergraph.cy, p = cy.getElementById(id).renderedPosition();
        return p.x > 0 && p.y > 0 && p.x < cy.width() && p.y < cy.height(); }""", party)


def png_chunks(data: bytes) -> tuple[tuple[int, int], dict[str, str]]:
    """(width, height) and the iTXt/tEXt texts of a PNG, read from its chunks (CRCs checked)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, size, texts = 8, None, {}
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in the {kind!r} chunk"
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"iTXt":
            keyword, rest = body.split(b"\0", 1)
            _language, _translated, text = rest[2:].split(b"\0", 2)
            texts[keyword.decode()] = text.decode("utf-8")
        elif kind == b"tEXt":
            keyword, text = body.split(b"\0", 1)
            texts[keyword.decode()] = text.decode("latin-1")
        at += 12 + length
    assert size is not None
    return size, texts


def colours_in_band(page, data: bytes, top: int, bottom: int, colours: list[str]) -> dict[str, int]:
    """How many pixels of each colour (#rrggbb, within a small tolerance for anti-aliasing) the PNG has in
    rows top..bottom, decoded by Chromium."""
    return page.evaluate("""async ([b64, top, bottom, colours]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
        const canvas = document.createElement('canvas');
        canvas.width = image.width; canvas.height = image.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(image, 0, 0);
        const pixels = ctx.getImageData(0, top, image.width, bottom - top).data;
        const wanted = colours.map(c => [c, parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)]);
        const counts = Object.fromEntries(colours.map(c => [c, 0]));
        for (let i = 0; i < pixels.length; i += 4) {
          for (const [c, r, g, b] of wanted) {
            if (Math.abs(pixels[i] - r) < 6 && Math.abs(pixels[i + 1] - g) < 6 && Math.abs(pixels[i + 2] - b) < 6) counts[c]++;
          }
        }
        return counts; }""", [base64.b64encode(data).decode(), top, bottom, colours])


def export_png(page, tmp_path: Path, name: str) -> bytes:
    with page.expect_download() as download:
        page.click("#export-png")
    saved = tmp_path / name
    download.value.save_as(saved)
    shutil.copy(saved, ARTIFACTS / name)
    return saved.read_bytes()


def test_all_51_owners_reached_with_next_legible_searchable_and_exported(page, kek_url, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    party = open_by_search(page, kek_url, "Funk & Fernsehen Nordwestdeutschland", FFN)
    owners = related(page, kek_url, party, "owners")
    assert owners["total"] == 51 and len(owners["items"]) == 51
    expected = [item["party"]["id"] for item in owners["items"]]
    assert page.locator("#badge").inner_text().lower() == "clear"

    # a clear party shows its owners: the first page of 50, and a "next" for the 51st
    page.wait_for_function("() => window.ownergraph.cy.nodes().not('.group').length === 51")
    assert graph_ids(page) == {party, *expected[:50]}
    button = page.locator("#page-next")
    assert button.is_visible()
    assert button.get_attribute("data-shown") == "50" and button.get_attribute("data-total") == "51"
    assert "1–50 of 51" in page.locator("#message").inner_text()

    button.click()
    page.wait_for_function("() => window.ownergraph.cy.nodes().not('.group').length === 52 && "
                           "document.getElementById('graph').dataset.state === 'ready'")
    assert graph_ids(page) == {party, *expected}
    assert page.locator("#page-next").is_hidden()
    assert "51–51 of 51" in page.locator("#message").inner_text()
    # every owner is drawn (none hidden), packed into one box of rows above the party they own
    hidden = page.evaluate("ids => ids.filter(id => !window.ownergraph.cy.getElementById(id).visible())", expected)
    assert hidden == []
    box = page.evaluate("""() => { const b = window.ownergraph.cy.nodes('.group');
        return b.map(n => [n.data('count'), n.data('direction'), n.data('anchor'), n.boundingBox().y2]); }""")
    below = page.evaluate("id => window.ownergraph.cy.getElementById(id).boundingBox().y1", party)
    assert len(box) == 1 and box[0][:3] == [51, "owners", party] and box[0][3] < below  # owners above

    page.click("#fit")
    assert illegible_labels(page) == []
    assert overlapping_parties(page) == []
    assert in_view(page, party)
    width = page.evaluate("(() => { const bb = window.ownergraph.cy.elements(':visible').boundingBox(); return bb.w; })()")
    assert width < 3000, f"the graph of 52 parties is {width} px wide"  # one row of 51 would be ~10,000
    page.screenshot(path=str(ARTIFACTS / "large-graph-ffn.png"), full_page=True)

    # the graph's search finds the 51st owner: highlighted, counted, brought into view and selected
    last = owners["items"][50]["party"]
    page.fill("#graph-find", last["name"])
    page.wait_for_function("() => document.getElementById('graph-find-count').textContent.includes('of 52 parties')")
    assert page.evaluate("id => window.ownergraph.cy.getElementById(id).hasClass('match')", last["id"])
    faded = page.evaluate("window.ownergraph.cy.nodes('.faded').not('.group').length")
    matched = int(page.locator("#graph-find-count").inner_text().split(" of ")[0])
    assert faded == 52 - matched
    page.press("#graph-find", "Enter")
    page.wait_for_function("id => window.ownergraph.state.selected === id", arg=last["id"])
    assert page.locator("#selection-name").inner_text() == last["name"]
    assert in_view(page, last["id"]) and illegible_labels(page) == []
    page.fill("#graph-find", "")
    page.wait_for_function("() => window.ownergraph.cy.nodes('.faded').length === 0")

    # the status filter: no KEK party is restricted under cn-majority (KEK names no listed party)
    page.wait_for_function("() => window.ownergraph.cy.nodes('[status = \"unknown\"]').not('.group').length === 0")
    page.select_option("#graph-status", "restricted")
    page.wait_for_function("() => document.getElementById('graph-find-count').textContent === 'no party matches'")
    assert page.evaluate("window.ownergraph.cy.nodes('.faded').not('.group').length") == 52
    page.select_option("#graph-status", "")

    # the box collapses into one and opens again: click its heading, then the button for it
    page.click("#fit")
    x, y = page.evaluate("""() => { const cy = window.ownergraph.cy, b = cy.nodes('.group').renderedBoundingBox();
        return [b.x1 + 12, b.y1 + 6]; }""")
    assert 0 < x < page.evaluate("window.ownergraph.cy.width()") and 0 < y < page.evaluate("window.ownergraph.cy.height()")
    page.locator("#graph").click(position={"x": x, "y": y})
    page.wait_for_function("() => !document.getElementById('selection-collapse').hidden")
    assert page.locator("#selection-name").inner_text().startswith(f"51 owners of {FFN}")
    page.click("#selection-collapse")
    page.wait_for_function("ids => ids.every(id => !window.ownergraph.cy.getElementById(id).visible())", arg=expected)
    page.click("#selection-collapse")
    page.wait_for_function("ids => ids.every(id => window.ownergraph.cy.getElementById(id).visible())", arg=expected)

    data = export_png(page, tmp_path, "graph-ffn.png")
    (png_width, png_height), texts = png_chunks(data)
    assert png_width <= EXPORT_MAX_WIDTH and png_height <= 2700, (png_width, png_height)
    assert texts["Title"] == FFN
    verdict = page.evaluate("window.ownergraph.state.verdict")
    assert f"clear under cn-majority (policy hash {verdict['policy_hash']}) as of {verdict['as_of']}" in texts["Description"]
    # the title band: the verdict's badge (clear, green) and the legend's colours; below it, the graph
    band = colours_in_band(page, data, 0, 170, ["#2e7d32", "#c62828", "#ef8f00", "#90a4ae", "#b71c1c"])
    assert band["#2e7d32"] > 400, band  # the badge is a 32 px high pill
    assert all(band[c] > 50 for c in ["#c62828", "#ef8f00", "#90a4ae", "#b71c1c"]), band
    graph = colours_in_band(page, data, 180, png_height, ["#2e7d32", "#ffffff"])
    assert graph["#2e7d32"] > 1000, graph  # the 52 clear parties
    assert page.problems == []


def test_many_subsidiaries_at_800_px_stay_legible_and_export_bounded(browser, kek_url, tmp_path):
    context = browser.new_context(viewport={"width": 800, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    try:
        party = open_by_search(page, kek_url, "Verlagsgesellschaft Madsack", MADSACK)
        subsidiaries = related(page, kek_url, party, "subsidiaries")
        assert subsidiaries["total"] >= 30
        page.click("#expand-subsidiaries")
        page.wait_for_function("n => window.ownergraph.cy.nodes().not('.group').length >= n && "
                               "document.getElementById('graph').dataset.state === 'ready'",
                               arg=subsidiaries["total"] + 1)
        assert {i["party"]["id"] for i in subsidiaries["items"]} <= graph_ids(page)
        tops = page.evaluate("""id => { const cy = window.ownergraph.cy;
            return [cy.getElementById(id).position('y'),
                    cy.nodes('.group[direction = "subsidiaries"]').map(b => b.position('y'))]; }""", party)
        assert tops[1] and all(y > tops[0] for y in tops[1])  # what it owns is drawn below it
        page.click("#fit")
        assert illegible_labels(page) == []
        assert overlapping_parties(page) == []
        # a second level: the subsidiaries of one subsidiary, selected from the keyboard list of parties
        page.click("#graph-lists summary")
        page.locator("#graph-parties a").get_by_text("Lübecker Nachrichten GmbH", exact=True).focus()
        page.wait_for_function("() => document.getElementById('selection-name').textContent === 'Lübecker Nachrichten GmbH'")
        child = page.evaluate("window.ownergraph.state.selected")
        grandchildren = {i["party"]["id"] for i in related(page, kek_url, child, "subsidiaries")["items"]} - graph_ids(page)
        assert grandchildren
        page.click("#selection-subsidiaries")
        page.wait_for_function("ids => ids.every(id => window.ownergraph.cy.getElementById(id).visible()) && "
                               "document.getElementById('graph').dataset.state === 'ready'", arg=sorted(grandchildren))
        assert overlapping_parties(page) == []
        # levels: one level keeps the party and the parties it has an interest with, and hides the rest
        page.select_option("#graph-levels", "1")
        page.wait_for_function("ids => ids.every(id => !window.ownergraph.cy.getElementById(id).visible())",
                               arg=sorted(grandchildren))
        assert page.evaluate("id => window.ownergraph.cy.getElementById(id).visible()", child)
        page.select_option("#graph-levels", "")
        page.wait_for_function("ids => ids.every(id => window.ownergraph.cy.getElementById(id).visible())",
                               arg=sorted(grandchildren))
        page.click("#fit")
        assert illegible_labels(page) == [] and overlapping_parties(page) == []
        page.screenshot(path=str(ARTIFACTS / "large-graph-madsack-800.png"), full_page=True)
        data = export_png(page, tmp_path, "graph-madsack.png")
        (png_width, _), texts = png_chunks(data)
        assert png_width <= EXPORT_MAX_WIDTH and texts["Title"] == MADSACK
        assert problems == []
    finally:
        context.close()
