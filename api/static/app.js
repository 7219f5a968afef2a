// The investigator page: search, a party's verdict and explanation, and its control paths as a graph.
// Routes live in the hash: #/search/<q> and #/party/<id>?policy=<name>&as_of=<date>.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { party: null, verdict: null, cy: null, policies: [] };
const COLOURS = { restricted: "#c62828", seed: "#7f0000", indeterminate: "#ef8f00", clear: "#2e7d32", unknown: "#90a4ae" };

// ---- the API --------------------------------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  const key = sessionStorage.getItem("ownergraph-key");
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    const entered = window.prompt("This server needs an API key:");
    if (entered) {
      sessionStorage.setItem("ownergraph-key", entered.trim());
      return api(path, options);
    }
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

function show(message, kind = "info") {
  const box = $("message");
  box.textContent = message || "";
  box.className = kind;
  box.hidden = !message;
  if (state.cy) state.cy.resize();  // the graph caches where its container is
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// ---- routing --------------------------------------------------------------------------------------------

function partyHash(id, policy, asOf) {
  const params = new URLSearchParams();
  if (policy) params.set("policy", policy);
  if (asOf) params.set("as_of", asOf);
  const query = params.toString();
  return `#/party/${encodeURIComponent(id)}${query ? "?" + query : ""}`;
}

function route() {
  const hash = location.hash || "#/";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  if (path.startsWith("/search/")) {
    const q = decodeURIComponent(path.slice("/search/".length));
    $("search").value = q;
    return runSearch(q);
  }
  if (path.startsWith("/party/")) {
    const id = decodeURIComponent(path.slice("/party/".length));
    const policy = params.get("policy");
    if (policy && state.policies.length && !state.policies.some((p) => p.name === policy)) {
      state.refused = id;
      return refuse(`No built-in policy named “${policy}” (built-ins: ${state.policies.map((p) => p.name).join(", ")}). ` +
                    "Choose one in the Policy selector.");
    }
    const asOf = params.get("as_of") || "";
    state.refused = id;
    if (asOf && !validDate(asOf)) return refuse(`“${asOf}” is not a date (YYYY-MM-DD, for example 2024-01-31).`);
    if (policy) $("policy").value = policy;
    $("as-of").value = asOf;
    return openParty(id);
  }
  $("results").hidden = true;
  $("party").hidden = true;
  show("Search a party by name (for example Vantage) or by an identifier (an LEI, GB-COH:01234567).");
}

function validDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number(text.slice(0, 4)) < 1000) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

// A route the page cannot follow: say why and leave the selectors as they were, usable for the next party.
function refuse(message) {
  cancelPending();
  $("results").hidden = true;
  $("party").hidden = true;
  state.party = null;
  state.verdict = null;
  show(message, "error");
}

// ---- search ---------------------------------------------------------------------------------------------

async function runSearch(q) {
  $("party").hidden = true;
  show("Searching…");
  let found;
  try {
    found = await api(`/v1/search?q=${encodeURIComponent(q)}&limit=25`);
  } catch (error) {
    return show(error.message, "error");
  }
  const list = $("result-list");
  list.replaceChildren();
  for (const hit of found.results) {
    const item = el("li");
    const link = el("a", hit.name || hit.id);
    link.href = partyHash(hit.id, $("policy").value, $("as-of").value);
    link.className = "result";
    item.append(link, el("span", [hit.id, hit.kind, hit.country].filter(Boolean).join(" · "), "muted"));
    if (hit.lists && hit.lists.length) item.append(el("span", hit.lists.join(", "), "tag"));
    list.append(item);
  }
  $("results").hidden = false;
  show(found.results.length ? "" : `No party matches “${q}”.`);
}

// ---- a party --------------------------------------------------------------------------------------------

// Only the latest party opened may draw: earlier requests are aborted and their late answers dropped.
function cancelPending() {
  if (state.controller) state.controller.abort();
  state.controller = new AbortController();
  state.request = (state.request || 0) + 1;
  return { signal: state.controller.signal, request: state.request };
}

async function openParty(id) {
  $("results").hidden = true;
  select(null);
  showEvidence(null);
  $("party").dataset.state = "loading";
  show("Evaluating…");
  const { signal, request } = cancelPending();
  const policy = $("policy").value;
  const asOf = $("as-of").value;
  state.asOfAsked = asOf;
  const params = new URLSearchParams({ policy });
  if (asOf) params.set("as_of", asOf);
  let details, verdict;
  try {
    [details, verdict] = await Promise.all([
      api(`/v1/parties/${encodeURIComponent(id)}`, { signal }),
      api(`/v1/parties/${encodeURIComponent(id)}/verdict?${params}`, { signal }),
    ]);
  } catch (error) {
    if (request !== state.request) return;  // a later party or date was asked for meanwhile
    $("party").hidden = true;
    if (error.status === 409 && error.body.candidates) {
      showCandidates(error.body.candidates);
      return show(error.message, "error");
    }
    return show(error.message, "error");
  }
  if (request !== state.request) return;
  state.party = details;
  state.verdict = verdict;
  show("");
  renderParty(details, verdict);
  $("party").hidden = false;
  drawGraph(verdict);
  const flips = loadFlips(verdict);
  if (!verdict.paths.length) await expand(details.id, "owners");
  await flips;
  if (request !== state.request) return;
  $("party").dataset.state = "ready";  // the verdict, graph and flip points are in
  // tables.js and the report link follow the party shown: the verdict as the page holds it
  document.dispatchEvent(new CustomEvent("ownergraph:verdict", { detail: { party: details, verdict } }));
}

function showCandidates(candidates) {
  const list = $("result-list");
  list.replaceChildren();
  for (const c of candidates) {
    const item = el("li");
    const link = el("a", c.name || c.key);
    link.href = partyHash(c.key, $("policy").value, $("as-of").value);
    item.append(link, el("span", c.key, "muted"));
    list.append(item);
  }
  $("results").hidden = false;
}

function shareText(share) {
  if (share.min === share.max) return `${share.min}%`;
  return `${share.min_exclusive ? "(" : "["}${share.min}–${share.max}${share.max_exclusive ? ")" : "]"}%`;
}

function renderParty(details, verdict) {
  $("party-name").textContent = details.name || details.id;
  $("party-facts").textContent = [details.id, details.kind, details.country && `country ${details.country}`,
    details.jurisdiction && `incorporated ${details.jurisdiction}`, details.status].filter(Boolean).join(" · ");
  const badge = $("badge");
  badge.textContent = verdict.verdict;
  badge.className = `badge ${verdict.verdict}`;
  const threshold = `${verdict.threshold.inclusive ? "≥" : ">"} ${verdict.threshold.value}%`;
  $("verdict-line").textContent = `${verdict.policy} (${verdict.method}, threshold ${threshold}) as of ${verdict.as_of}: ` +
    `restricted share ${shareText(verdict.restricted_share)}` + (verdict.reason ? `, by ${verdict.reason}` : "") +
    `. Policy hash ${verdict.policy_hash}.`;
  renderGauge(verdict);
  const list = $("explanation");
  list.replaceChildren(...verdict.explanation.map((line) => el("li", line)));
  const dl = $("party-details");
  dl.replaceChildren();
  const add = (term, values) => {
    if (!values || !values.length) return;
    dl.append(el("dt", term));
    for (const v of values) dl.append(el("dd", v));
  };
  add("Identifiers", details.identifiers.map((i) => i.id));
  add("Lists", details.lists.map((l) => l.name + (l.start ? ` from ${l.start}` : "") + (l.end ? ` until ${l.end}` : "")));
  add("Nationalities", details.nationalities);
  add("Addresses", details.addresses);
  add("Reporting exceptions", details.reporting_exceptions);
  add("Sources", details.sources);
}

// The margin: the restricted share's range on a 0-100% scale with the threshold marked, and in words.
function renderGauge(verdict) {
  const share = verdict.restricted_share;
  const threshold = verdict.threshold.value;
  const range = $("gauge-range");
  range.className = `gauge-range ${verdict.verdict}`;
  range.style.left = `${share.min}%`;
  range.style.width = `${Math.max(share.max - share.min, 0.6)}%`;
  $("gauge-threshold").style.left = `${threshold}%`;
  const points = (n) => `${Math.round(Math.abs(n) * 100) / 100} percentage point${Math.abs(n) === 1 ? "" : "s"}`;
  const bounds = `smallest ${share.min}%, largest ${share.max}%; threshold ${verdict.threshold.inclusive ? "≥" : ">"} ${threshold}%`;
  const margin = verdict.margin ?? 0;
  let words;
  if (verdict.verdict === "clear") words = `${points(margin)} below the threshold at most`;
  else if (verdict.verdict === "indeterminate") {
    words = `undecided: the sure share is ${points(threshold - share.min)} below the threshold, ` +
            `the largest possible ${points(share.max - threshold)} above it`;
  } else if (margin >= 0) words = `${points(margin)} above the threshold at least`;
  else words = `${points(margin)} below the threshold, restricted by ${verdict.reason}`;
  $("gauge-text").textContent = `Margin: ${words} (${bounds}).`;
  $("gauge").setAttribute("aria-label", $("gauge-text").textContent);
  $("gauge").dataset.margin = String(margin);
}

// ---- the graph ------------------------------------------------------------------------------------------

function nodeData(id, name, status) {
  return { group: "nodes", data: { id, label: name || id, status, colour: COLOURS[status] || COLOURS.unknown } };
}

function edgeId(edge) {
  return `${edge.owner}→${edge.owned}:${edge.interest}:${edge.start || ""}`;
}

function edgeData(edge, classes = "") {
  const label = edge.interest === "shareholding" ? shareText(edge.share) : `${edge.interest} ${shareText(edge.share)}`;
  const sources = (edge.sources || []).map((s) => `${s.source} ${s.record}`).join("; ");
  return { group: "edges", classes, data: { id: edgeId(edge), source: edge.owner, target: edge.owned, label, sources, edge } };
}

function drawGraph(verdict) {
  const entity = verdict.entity.id;
  // Parties on a restricted aggregate proof are all restricted; otherwise their own verdicts are fetched.
  const sure = verdict.verdict === "restricted" && verdict.method === "aggregate";
  const holders = Object.fromEntries((verdict.holders || []).map((h) => [h.party.id, h.status]));
  const elements = new Map();
  const pending = [];
  // The deciding edges: on a decided verdict every edge of its proof, on an undecided one the ranged ones.
  const deciding = new Set((verdict.deciding_edges || []).map(edgeId));
  const decidingClass = (edge) => (verdict.verdict === "restricted" || deciding.has(edgeId(edge)) ? "path deciding" : "path");
  elements.set(entity, nodeData(entity, verdict.entity.name, verdict.reason === "seed" ? "seed" : verdict.verdict));
  for (const path of verdict.paths) {
    path.edges.forEach((edge, i) => {
      for (const [id, name] of [[edge.owner, edge.owner_name], [edge.owned, edge.owned_name]]) {
        if (elements.has(id)) continue;
        const status = id === edge.owner && i === 0 ? "seed" : sure ? "restricted" : holders[id] || "unknown";
        if (status === "unknown") pending.push(id);
        elements.set(id, nodeData(id, name, status));
      }
      const e = edgeData(edge, decidingClass(edge));
      elements.set(e.data.id, e);
    });
  }
  if (state.cy) state.cy.destroy();
  state.cy = cytoscape({
    container: $("graph"),
    elements: [...elements.values()],
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", color: "#1b1b1b",
        "font-size": GRAPH.FONT, "text-wrap": "wrap", "text-max-width": 170, "text-valign": "center", "text-halign": "right",
        "text-margin-x": 6, width: 26, height: 26 } },
      { selector: `node[id = "${entity.replace(/["\\]/g, "\\$&")}"]`, style: { width: 38, height: 38, "border-width": 4, "border-color": "#263238" } },
      { selector: "edge", style: { width: 2, "line-color": "#90a4ae", "target-arrow-color": "#90a4ae",
        "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)", "font-size": 10,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2 } },
      { selector: "edge.path", style: { width: 3, "line-color": "#455a64", "target-arrow-color": "#455a64" } },
      { selector: "edge.deciding", style: { width: 5, "line-color": "#b71c1c", "target-arrow-color": "#b71c1c", "font-weight": 700 } },
      ...GRAPH_STYLES,
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#1565c0" } },
      { selector: "edge:selected", style: { "line-color": "#1565c0", "target-arrow-color": "#1565c0", "overlay-opacity": 0.12 } },
    ],
  });
  // What the graph shows beyond its elements: levels hidden, boxes collapsed, pages of owners read so far.
  state.view = { root: entity, levels: Number($("graph-levels").value) || null, collapsed: new Set(), pages: new Map() };
  state.more = null;
  $("graph-find").value = "";
  relayout(entity);
  state.cy.on("tap", "node", (event) => select(event.target));
  state.cy.on("tap", "edge", (event) => {
    const box = event.target.data("box");
    if (box) select(state.cy.getElementById(box));  // the edge drawn to a box of siblings
    else showEvidence(event.target);
  });
  state.cy.on("dbltap", "node", (event) => {
    if (event.target.hasClass("group")) toggleGroup(event.target.id());
    else openNode(event.target.id());
  });
  state.cy.on("tap", (event) => { if (event.target === state.cy) select(null); });
  window.ownergraph.cy = state.cy;
  renderGraphList();
  renderPaging();
  $("graph").dataset.state = "ready";
  refineStatuses(pending, verdict);
}

// The statuses of parties drawn without one, in batches of 200 (POST /v1/statuses), under the verdict's
// policy and date; an answer for a graph since replaced is dropped.
async function refineStatuses(ids, verdict) {
  const cy = state.cy;
  for (let i = 0; i < ids.length; i += 200) {
    let answers;
    try {
      answers = await api("/v1/statuses", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ids: ids.slice(i, i + 200), policy: verdict.policy, as_of: verdict.as_of }),
      });
    } catch (error) {
      return show(`Statuses: ${error.message}`, "error");  // the parties keep the colour of "not evaluated"
    }
    if (state.cy !== cy || state.verdict !== verdict) return;
    for (const answer of answers) {
      if (!answer.verdict) continue;
      const status = answer.reason === "seed" ? "seed" : answer.verdict;
      cy.getElementById(answer.id).data({ status, colour: COLOURS[status], margin: answer.margin });
    }
    applyFilter();  // a status filter now sees these statuses
    renderGraphList();
  }
}

const STATUS_WORDS = { restricted: "restricted", seed: "restricted seed", indeterminate: "indeterminate",
                       clear: "clear", unknown: "not evaluated" };

// The graph as lists, for the keyboard and screen readers: Tab to a party (it is selected in the graph),
// Enter opens it; Tab to an interest, Enter shows its evidence.
function renderGraphList() {
  const cy = state.cy;
  const parties = $("graph-parties");
  parties.replaceChildren(...partiesOf(cy).map((node) => {
    const item = el("li");
    const link = el("a", node.data("label"), `party-link ${node.data("status")}`);
    link.href = partyHash(node.id(), $("policy").value, $("as-of").value);
    link.dataset.id = node.id();
    link.addEventListener("focus", () => { cy.elements().unselect(); node.select(); select(node); });
    item.append(link, el("span", ` ${STATUS_WORDS[node.data("status")] || node.data("status")}`, "muted"));
    return item;
  }));
  const interests = $("graph-interests");
  interests.replaceChildren(...cy.edges().not(".group").map((edge) => {
    const item = el("li");
    const name = (id) => cy.getElementById(id).data("label") || id;
    const button = el("button", `${name(edge.data("source"))} → ${name(edge.data("target"))}: ${edge.data("label")}`, "interest-button");
    button.type = "button";
    button.dataset.id = edge.id();
    button.addEventListener("click", () => { cy.elements().unselect(); edge.select(); showEvidence(edge); });
    item.append(button);
    return item;
  }));
}

// ---- evidence: an interest and every source record behind it ----------------------------------------------

function dateText(value) {
  return value || "—";
}

async function showEvidence(edgeElement) {
  const box = $("evidence");
  if (!edgeElement) {
    box.hidden = true;
    box.dataset.state = "empty";
    return;
  }
  const shown = edgeElement.data("edge");
  const cy = state.cy;
  const name = (id) => (cy.getElementById(id).nonempty() && cy.getElementById(id).data("label")) || id;
  box.hidden = false;
  box.dataset.state = "loading";
  $("evidence-title").textContent = `${name(shown.owner)} → ${name(shown.owned)}`;
  $("evidence-facts").textContent = "Reading the source records…";
  $("evidence-sources").replaceChildren();
  state.evidenceFor = edgeElement.id();
  // The interest as recorded, with every source record, from the owned party's owners on the verdict's date.
  const params = new URLSearchParams({ depth: "1", limit: "500" });
  const asOf = state.verdict ? state.verdict.as_of : $("as-of").value;
  if (asOf) params.set("as_of", asOf);
  let interest = shown;
  try {
    const page = await api(`/v1/parties/${encodeURIComponent(shown.owned)}/owners?${params}`);
    const item = page.items.find((i) => i.party.id === shown.owner);
    interest = (item && item.edges.find((e) => edgeId(e) === edgeId(shown))) || shown;
  } catch (error) {
    show(`Evidence: ${error.message}`, "error");
  }
  if (state.evidenceFor !== edgeElement.id()) return;  // another interest was clicked meanwhile
  $("evidence-facts").textContent = [`${interest.interest}`, `share ${shareText(interest.share)}`,
    `from ${dateText(interest.start)}`, `until ${interest.end || "open"}`,
    interest.counted === false ? "not counted (declared as not beneficial)" : null,
    interest.declares ? `declares ${interest.declares}` : null].filter(Boolean).join(" · ");
  const rows = (interest.sources || []).map((record) => {
    const row = el("tr");
    const cell = (text, className) => { const td = el("td", text, className); row.append(td); return td; };
    const where = cell(record.source);
    if (record.url && /^https?:\/\//i.test(record.url)) {
      const link = el("a", "open");
      link.href = record.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      where.append(" ", link);
    }
    cell(record.record, "record");
    cell(dateText(record.statement_date));
    const stated = record.share ? shareText(record.share) : "—";
    const differs = record.share && shareText(record.share) !== shareText(interest.share);
    cell(stated + (differs ? " (differs)" : ""), differs ? "differs" : "");
    const dates = record.start || record.end ? `${dateText(record.start)} – ${record.end || "open"}` : "—";
    cell(dates, record.start !== undefined && (record.start !== interest.start || record.end !== interest.end) ? "differs" : "");
    return row;
  });
  $("evidence-sources").replaceChildren(...rows);
  $("evidence-none").hidden = rows.length > 0;
  box.dataset.state = "shown";
}

// Lay the graph out again (after it changed, or what it shows did), keep the search's highlights, and fit
// it so that labels stay legible around `focus`.
function relayout(focus) {
  const cy = state.cy;
  layoutGraph(cy, state.view);
  applyFilter();
  fitReadable(cy, focus || state.view.root);
}

// A box of siblings drawn as one, or drawn again party by party.
function toggleGroup(id) {
  const cy = state.cy;
  const box = cy.getElementById(id);
  if (box.empty()) return;
  const anchor = box.data("anchor");
  if (state.view.collapsed.has(id)) state.view.collapsed.delete(id);
  else state.view.collapsed.add(id);
  relayout(anchor);
  renderGraphList();
  const again = cy.getElementById(id);
  cy.elements().unselect();
  again.select();
  select(again);
}

function applyFilter() {
  const cy = state.cy;
  if (!cy) return [];
  const text = $("graph-find").value;
  const status = $("graph-status").value;
  const matches = filterGraph(cy, text, status);
  state.matches = matches.map((n) => n.id());
  const count = $("graph-find-count");
  if (!text.trim() && !status) count.textContent = "";
  else count.textContent = matches.length ? `${matches.length} of ${partiesOf(cy).length} parties` : "no party matches";
  return matches;
}

// Enter in the graph's search box: the next party that matches, shown (its box opened, its level shown) and
// selected.
function showNextMatch() {
  const cy = state.cy;
  if (!cy || !state.matches || !state.matches.length) return;
  const i = ((state.matchIndex ?? -1) + 1) % state.matches.length;
  state.matchIndex = i;
  const id = state.matches[i];
  let node = cy.getElementById(id);
  if (node.hasClass("beyond") || node.hasClass("collapsed")) {
    if (node.hasClass("beyond")) {
      $("graph-levels").value = "";
      state.view.levels = null;
    }
    if (node.data("box")) state.view.collapsed.delete(node.data("box"));
    relayout(id);
    renderGraphList();
    node = cy.getElementById(id);
  }
  focusNode(cy, node);
  cy.elements().unselect();
  node.select();
  select(node);
}

// The "next" button: the next page of the owners (or subsidiaries) last expanded that has more.
function renderPaging() {
  const button = $("page-next");
  const more = state.more;
  button.hidden = !more;
  if (!more) return;
  const next = Math.min(PAGE_SIZE, more.total - more.shown);
  button.textContent = `Next ${next} ${more.direction} of ${more.name} (${more.shown} of ${more.total} shown)`;
  button.dataset.shown = String(more.shown);
  button.dataset.total = String(more.total);
}

const SELECTION_BUTTONS = ["selection-open", "selection-owners", "selection-subsidiaries"];

function select(node) {
  state.selected = node ? node.id() : null;
  const box = node && node.hasClass("group");
  $("selection-name").textContent = node ? node.data("label") : "No party selected";
  let facts = "Click a party in the graph to select it; double-click to open it.";
  if (box) facts = `Parties that hold (or are held by) ${state.cy.getElementById(node.data("anchor")).data("label")} and ` +
                   "no other party drawn, in rows by share. Double-click the box to collapse or open it.";
  else if (node) {
    facts = `${node.id()} · ${node.data("status") === "unknown" ? "not evaluated here" : node.data("status")}`;
    if (node.data("glabel")) facts += ` · ${node.data("glabel").split(" · ")[0]}`;
  }
  $("selection-facts").textContent = facts;
  for (const id of SELECTION_BUTTONS) $(id).disabled = !node || box;
  for (const direction of ["owners", "subsidiaries"]) {
    const page = node && !box && state.view && state.view.pages.get(`${direction}:${node.id()}`);
    $(`selection-${direction}`).textContent = page && page.shown < page.total
      ? `Next ${direction} (${page.shown} of ${page.total} shown)` : `Expand ${direction}`;
  }
  const collapse = $("selection-collapse");
  collapse.hidden = !box;
  if (box) collapse.textContent = state.view.collapsed.has(node.id()) ? `Show the ${node.data("count")} parties` : "Collapse into one box";
}

function openNode(id) {
  const hash = partyHash(id, $("policy").value, $("as-of").value);
  if (hash === location.hash) route();
  else location.hash = hash;
}

const PAGE_SIZE = 50;

// A party's owners (or subsidiaries), a page of PAGE_SIZE at a time: asked again while more are recorded
// than shown, it adds the next page (offset = how many are shown), so that every owner can be reached.
async function expand(id, direction) {
  const cy = state.cy;
  const key = `${direction}:${id}`;
  const known = state.view.pages.get(key);
  const offset = known && known.shown < known.total ? known.shown : 0;
  const params = new URLSearchParams({ depth: "1", limit: String(PAGE_SIZE), offset: String(offset) });
  if ($("as-of").value) params.set("as_of", $("as-of").value);
  $("graph").dataset.state = "expanding";
  let page;
  try {
    page = await api(`/v1/parties/${encodeURIComponent(id)}/${direction}?${params}`);
  } catch (error) {
    if (state.cy === cy) $("graph").dataset.state = "ready";
    return show(error.message, "error");
  }
  if (state.cy !== cy) return;  // another party was opened meanwhile
  const added = [];
  const fresh = [];
  page.items.forEach((item, i) => {
    if (cy.getElementById(item.party.id).empty()) {
      const node = nodeData(item.party.id, item.party.name, "unknown");
      node.data.order = offset + i;  // the API's order: largest share first
      added.push(node);
      fresh.push(item.party.id);
    }
    for (const edge of item.edges) {
      const e = edgeData(edge);
      if (cy.getElementById(e.data.id).empty()) added.push(e);
    }
  });
  cy.add(added);
  const shown = offset + page.items.length;
  const name = page.party.name || page.party.id;
  state.view.pages.set(key, { shown, total: page.total });
  if (shown < page.total) state.more = { id, direction, shown, total: page.total, name };
  else if (state.more && state.more.id === id && state.more.direction === direction) state.more = null;
  relayout(id);
  renderGraphList();
  renderPaging();
  if (state.selected) {
    const selected = cy.getElementById(state.selected);
    if (selected.nonempty()) select(selected);
  }
  if (fresh.length && state.verdict) refineStatuses(fresh, state.verdict);
  const range = page.items.length ? `${offset + 1}–${shown} of ${page.total}` : "";
  const more = shown < page.total ? "; Next shows more" : "";
  show(page.total ? `${direction[0].toUpperCase()}${direction.slice(1)} of ${name}: ${range} shown${more}.`
                  : `No ${direction} recorded.`);
  $("graph").dataset.state = "ready";
}

// ---- what would it take: flip points and hypothetical shares (POST /v1/what-if; nothing is saved) --------

function whatIf(verdict, changes, flips) {
  return api("/v1/what-if", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ party: verdict.entity.id, policy: verdict.policy, as_of: verdict.as_of, changes, flips }),
  });
}

async function loadFlips(verdict) {
  $("whatif").hidden = true;
  $("hypothesis").hidden = true;
  $("flip-list").replaceChildren();
  state.flips = null;
  let answer;
  try {
    answer = await whatIf(verdict, [], true);
  } catch (error) {
    return show(`What would it take: ${error.message}`, "error");
  }
  if (state.verdict !== verdict) return;  // another party was opened meanwhile
  const flips = answer.flips;
  $("whatif-title").textContent = verdict.verdict === "clear" ? "What would make it restricted" : "What would clear it";
  const list = $("flip-list");
  const moving = flips.points.filter((p) => p.condition !== "cannot");
  const stuck = flips.points.filter((p) => p.condition === "cannot");
  for (const point of moving) list.append(flipItem(verdict, point));
  for (const set of flips.sets) list.append(el("li", set.sentence, "flip-set"));
  if (!moving.length && !flips.sets.length) list.append(...flips.explanation.map((line) => el("li", line, "flip-none")));
  else if (moving.length) for (const point of stuck) list.append(flipItem(verdict, point, "flip-cannot"));
  state.flips = flips;
  $("whatif").hidden = false;
}

function flipItem(verdict, point, className = "flip-point") {
  const item = el("li", point.sentence, className);
  const edge = point.edge;
  const form = el("form", null, "flip-edit");
  const label = `${edge.owner_name || edge.owner} in ${edge.owned_name || edge.owned}`;
  let input = null;
  const policy = state.policies.find((p) => p.name === verdict.policy);
  const measured = policy && policy.definition && policy.definition.measured;
  const shareable = point.condition !== "remove" && (!measured || measured.includes(edge.interest));
  if (shareable) {
    input = el("input");
    Object.assign(input, { type: "number", min: "0", max: "100", step: "any", required: true,
                           value: String(point.value ?? edge.share.max), title: `Hypothetical share of ${label}, in percent` });
    input.setAttribute("aria-label", `Hypothetical share of ${label}`);
    form.append(input, el("span", "%"));
  }
  const button = el("button", input ? "Recompute" : "Recompute without it");
  button.type = "submit";
  form.append(button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const change = input ? { op: "set", owner: edge.owner, owned: edge.owned, share: Number(input.value) }
      : { op: "remove", owner: edge.owner, owned: edge.owned, interest: edge.interest };
    hypothesise(verdict, change);
  });
  item.append(form);
  return item;
}

async function hypothesise(verdict, change) {
  const box = $("hypothesis");
  box.dataset.state = "computing";
  let answer;
  try {
    answer = await whatIf(verdict, [change], false);
  } catch (error) {
    box.dataset.state = "error";
    return show(error.message, "error");
  }
  if (state.verdict !== verdict) return;
  const after = answer.after;
  state.hypothesis = answer;
  $("hypothesis-change").textContent = answer.changes.map((c) => c.description).join("; ") + ":";
  const badge = $("hypothesis-badge");
  badge.textContent = after.verdict;
  badge.className = `badge ${after.verdict}`;
  $("hypothesis-line").textContent = `${verdict.entity.name || verdict.entity.id} would be ${after.verdict} ` +
    `(recorded: ${answer.before.verdict}); restricted share ${shareText(after.restricted_share)}.`;
  $("hypothesis-explanation").replaceChildren(...after.explanation.map((line) => el("li", line)));
  box.hidden = false;
  box.dataset.state = "shown";
  show("");
}

// ---- exports --------------------------------------------------------------------------------------------

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function fileStem() {
  const v = state.verdict;
  return `verdict-${v.entity.id.replace(/[^\w.-]+/g, "_")}-${v.policy}-${v.as_of}`;
}

// ---- wiring ---------------------------------------------------------------------------------------------

async function start() {
  window.ownergraph = { cy: null, state };
  try {
    state.policies = await api("/v1/policies");
  } catch (error) {
    show(error.message, "error");
  }
  const select_ = $("policy");
  for (const p of state.policies) {
    const option = el("option", p.name);
    option.value = p.name;
    option.title = p.description;
    select_.append(option);
  }
  select_.value = "cn-majority";
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = $("search").value.trim();
    if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
  });
  const reopen = () => {
    const id = state.party && !$("party").hidden ? state.party.id : state.refused;
    if (id) openNode(id);
  };
  select_.addEventListener("change", reopen);
  // A date is typed a digit at a time (0002-, 0020-, 0202-...): reopen once it is a whole date and has
  // stayed the same for a moment; an earlier answer arriving late is dropped by openParty.
  let dateTimer = null;
  const dateChanged = () => {
    clearTimeout(dateTimer);
    const value = $("as-of").value;  // "" while a typed date is incomplete
    if ((value && !validDate(value)) || value === state.asOfAsked) return;
    dateTimer = setTimeout(reopen, 450);
  };
  $("as-of").addEventListener("input", dateChanged);
  $("as-of").addEventListener("change", dateChanged);
  // the party selected (a box of siblings is none), else the party opened
  const target = () => (state.selected && !state.selected.startsWith("group:") ? state.selected : state.party.id);
  $("expand-owners").addEventListener("click", () => expand(target(), "owners"));
  $("expand-subsidiaries").addEventListener("click", () => expand(target(), "subsidiaries"));
  $("selection-owners").addEventListener("click", () => expand(state.selected, "owners"));
  $("selection-subsidiaries").addEventListener("click", () => expand(state.selected, "subsidiaries"));
  $("selection-open").addEventListener("click", () => openNode(state.selected));
  $("hypothesis-reset").addEventListener("click", () => { $("hypothesis").hidden = true; state.hypothesis = null; });
  $("evidence-close").addEventListener("click", () => showEvidence(null));
  // The graph caches where its box is on the screen until a scroll event says otherwise; a click that comes
  // right after a scroll (before that event) would be placed by the old position, or dropped as outside.
  for (const type of ["mousedown", "touchstart"]) {
    $("graph").addEventListener(type, () => state.cy && state.cy.resize(), { capture: true, passive: true });
  }
  $("fit").addEventListener("click", () => state.cy && fitReadable(state.cy, state.selected || state.view.root));
  $("fit-all").addEventListener("click", () => state.cy && fitWhole(state.cy));
  $("page-next").addEventListener("click", () => state.more && expand(state.more.id, state.more.direction));
  $("selection-collapse").addEventListener("click", () => state.selected && toggleGroup(state.selected));
  $("graph-find").addEventListener("input", () => { state.matchIndex = -1; applyFilter(); });
  $("graph-find").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    showNextMatch();
  });
  $("graph-status").addEventListener("change", () => { state.matchIndex = -1; applyFilter(); });
  $("graph-levels").addEventListener("change", () => {
    if (!state.cy) return;
    state.view.levels = Number($("graph-levels").value) || null;
    relayout();
    renderGraphList();
  });
  $("export-json").addEventListener("click", () => {
    download(new Blob([JSON.stringify(state.verdict, null, 2)], { type: "application/json" }), `${fileStem()}.json`);
  });
  $("export-png").addEventListener("click", async () => {
    const button = $("export-png");
    button.disabled = true;
    try {
      download(await exportPicture(state.cy, state.verdict, state.party), `${fileStem()}.png`);
    } catch (error) {
      show(`Export: ${error.message}`, "error");
    } finally {
      button.disabled = false;
    }
  });
  window.addEventListener("hashchange", route);
  // Sections above the graph (flip points, messages) appear after it is drawn and move it down: the graph
  // caches where its container is, so a click would land on the wrong element until it is told.
  new ResizeObserver(() => state.cy && state.cy.resize()).observe($("party"));
  route();
}

document.addEventListener("DOMContentLoaded", start);
