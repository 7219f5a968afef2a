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
    if (params.get("policy")) $("policy").value = params.get("policy");
    $("as-of").value = params.get("as_of") || "";
    return openParty(decodeURIComponent(path.slice("/party/".length)));
  }
  $("results").hidden = true;
  $("party").hidden = true;
  show("Search a party by name (for example Vantage) or by an identifier (an LEI, GB-COH:01234567).");
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

async function openParty(id) {
  $("results").hidden = true;
  select(null);
  show("Evaluating…");
  const policy = $("policy").value;
  const asOf = $("as-of").value;
  const params = new URLSearchParams({ policy });
  if (asOf) params.set("as_of", asOf);
  let details, verdict;
  try {
    [details, verdict] = await Promise.all([
      api(`/v1/parties/${encodeURIComponent(id)}`),
      api(`/v1/parties/${encodeURIComponent(id)}/verdict?${params}`),
    ]);
  } catch (error) {
    $("party").hidden = true;
    if (error.status === 409 && error.body.candidates) {
      showCandidates(error.body.candidates);
      return show(error.message, "error");
    }
    return show(error.message, "error");
  }
  state.party = details;
  state.verdict = verdict;
  show("");
  renderParty(details, verdict);
  $("party").hidden = false;
  drawGraph(verdict);
  const flips = loadFlips(verdict);
  if (!verdict.paths.length) await expand(details.id, "owners");
  await flips;
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

// ---- the graph ------------------------------------------------------------------------------------------

function nodeData(id, name, status) {
  return { group: "nodes", data: { id, label: name || id, status, colour: COLOURS[status] || COLOURS.unknown } };
}

function edgeData(edge) {
  const id = `${edge.owner}→${edge.owned}:${edge.interest}:${edge.start || ""}`;
  const label = edge.interest === "shareholding" ? shareText(edge.share) : `${edge.interest} ${shareText(edge.share)}`;
  const sources = (edge.sources || []).map((s) => `${s.source} ${s.record}`).join("; ");
  return { group: "edges", data: { id, source: edge.owner, target: edge.owned, label, sources } };
}

function drawGraph(verdict) {
  const entity = verdict.entity.id;
  // Parties on a restricted aggregate proof are all restricted; otherwise their own verdicts are fetched.
  const sure = verdict.verdict === "restricted" && verdict.method === "aggregate";
  const holders = Object.fromEntries((verdict.holders || []).map((h) => [h.party.id, h.status]));
  const elements = new Map();
  const pending = [];
  elements.set(entity, nodeData(entity, verdict.entity.name, verdict.reason === "seed" ? "seed" : verdict.verdict));
  for (const path of verdict.paths) {
    path.edges.forEach((edge, i) => {
      for (const [id, name] of [[edge.owner, edge.owner_name], [edge.owned, edge.owned_name]]) {
        if (elements.has(id)) continue;
        const status = id === edge.owner && i === 0 ? "seed" : sure ? "restricted" : holders[id] || "unknown";
        if (status === "unknown") pending.push(id);
        elements.set(id, nodeData(id, name, status));
      }
      const e = edgeData(edge);
      elements.set(e.data.id, e);
    });
  }
  if (state.cy) state.cy.destroy();
  state.cy = cytoscape({
    container: $("graph"),
    elements: [...elements.values()],
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", color: "#1b1b1b",
        "font-size": 11, "text-wrap": "wrap", "text-max-width": 170, "text-valign": "center", "text-halign": "right",
        "text-margin-x": 6, width: 26, height: 26 } },
      { selector: `node[id = "${entity.replace(/["\\]/g, "\\$&")}"]`, style: { width: 38, height: 38, "border-width": 4, "border-color": "#263238" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#1565c0" } },
      { selector: "edge", style: { width: 2, "line-color": "#607d8b", "target-arrow-color": "#607d8b",
        "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)", "font-size": 10,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2 } },
    ],
  });
  state.cy.layout(layoutOptions(state.cy)).run();
  state.cy.on("tap", "node", (event) => select(event.target));
  state.cy.on("dbltap", "node", (event) => openNode(event.target.id()));
  state.cy.on("tap", (event) => { if (event.target === state.cy) select(null); });
  window.ownergraph.cy = state.cy;
  refineStatuses(pending.slice(0, 25), verdict);
}

async function refineStatuses(ids, verdict) {
  const cy = state.cy;
  const params = new URLSearchParams({ policy: verdict.policy, as_of: verdict.as_of });
  await Promise.all(ids.map(async (id) => {
    try {
      const v = await api(`/v1/parties/${encodeURIComponent(id)}/verdict?${params}`);
      const node = cy.getElementById(id);
      const status = v.reason === "seed" ? "seed" : v.verdict;
      node.data({ status, colour: COLOURS[status] });
    } catch (error) { /* the party keeps the colour of a party not evaluated */ }
  }));
}

// Owners above what they own: each party one row below its lowest owner (longest path, cycles cut after
// as many rounds as there are parties), ordered within a row by where its owners stand.
function layeredPositions(cy) {
  const nodes = cy.nodes().map((n) => n.id());
  const edges = cy.edges().map((e) => [e.data("source"), e.data("target")]);
  const level = Object.fromEntries(nodes.map((id) => [id, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const [from, to] of edges) {
      if (from !== to && level[to] < level[from] + 1 && level[from] + 1 < nodes.length) {
        level[to] = level[from] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows = [];
  for (const id of nodes) (rows[level[id]] = rows[level[id]] || []).push(id);
  const x = {};
  const positions = {};
  rows.forEach((row, depth) => {
    const weight = (id) => {
      const above = edges.filter(([from, to]) => to === id && x[from] !== undefined).map(([from]) => x[from]);
      return above.length ? above.reduce((a, b) => a + b, 0) / above.length : 0;
    };
    row.sort((a, b) => weight(a) - weight(b) || a.localeCompare(b));
    row.forEach((id, i) => {
      x[id] = (i - (row.length - 1) / 2) * 230;
      positions[id] = { x: x[id], y: depth * 120 };
    });
  });
  return positions;
}

function layoutOptions(cy) {
  const positions = layeredPositions(cy);
  return { name: "preset", positions: (node) => positions[node.id()], fit: true, padding: 40, animate: false };
}

const SELECTION_BUTTONS = ["selection-open", "selection-owners", "selection-subsidiaries"];

function select(node) {
  state.selected = node ? node.id() : null;
  $("selection-name").textContent = node ? node.data("label") : "No party selected";
  $("selection-facts").textContent = node
    ? `${node.id()} · ${node.data("status") === "unknown" ? "not evaluated here" : node.data("status")}`
    : "Click a party in the graph to select it; double-click to open it.";
  for (const id of SELECTION_BUTTONS) $(id).disabled = !node;
}

function openNode(id) {
  const hash = partyHash(id, $("policy").value, $("as-of").value);
  if (hash === location.hash) route();
  else location.hash = hash;
}

async function expand(id, direction) {
  const params = new URLSearchParams({ depth: "1", limit: "50" });
  if ($("as-of").value) params.set("as_of", $("as-of").value);
  let page;
  try {
    page = await api(`/v1/parties/${encodeURIComponent(id)}/${direction}?${params}`);
  } catch (error) {
    return show(error.message, "error");
  }
  const cy = state.cy;
  const added = [];
  for (const item of page.items) {
    if (cy.getElementById(item.party.id).empty()) added.push(nodeData(item.party.id, item.party.name, "unknown"));
    for (const edge of item.edges) {
      const e = edgeData(edge);
      if (cy.getElementById(e.data.id).empty()) added.push(e);
    }
  }
  cy.add(added);
  cy.layout(layoutOptions(cy)).run();
  const more = page.total > page.items.length ? ` (first ${page.items.length} of ${page.total})` : "";
  show(page.items.length ? `${page.items.length} ${direction} shown${more}.` : `No ${direction} recorded.`);
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
  const reopen = () => { if (state.party && !$("party").hidden) openNode(state.party.id); };
  select_.addEventListener("change", reopen);
  $("as-of").addEventListener("change", reopen);
  $("expand-owners").addEventListener("click", () => expand(state.selected || state.party.id, "owners"));
  $("expand-subsidiaries").addEventListener("click", () => expand(state.selected || state.party.id, "subsidiaries"));
  $("selection-owners").addEventListener("click", () => expand(state.selected, "owners"));
  $("selection-subsidiaries").addEventListener("click", () => expand(state.selected, "subsidiaries"));
  $("selection-open").addEventListener("click", () => openNode(state.selected));
  $("hypothesis-reset").addEventListener("click", () => { $("hypothesis").hidden = true; state.hypothesis = null; });
  $("fit").addEventListener("click", () => state.cy && state.cy.fit(undefined, 24));
  $("export-json").addEventListener("click", () => {
    download(new Blob([JSON.stringify(state.verdict, null, 2)], { type: "application/json" }), `${fileStem()}.json`);
  });
  $("export-png").addEventListener("click", () => {
    download(state.cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }), `${fileStem()}.png`);
  });
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
