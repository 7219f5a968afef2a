// The case report of one verdict: report.html?party=ID&policy=NAME&as_of=DATE. The party, the verdict, the
// policy with its hash, the date, the data it was computed on, the explanation, the control paths drawn as
// SVG and listed, and every interest's source records (from the owned party's owners, as the party page's
// evidence panel reads them). Printed by the browser (report.css has the print rules; Chromium saves it as
// PDF). #report carries data-state: loading, ready, error.
"use strict";
(() => {
  const og = window.og;
  const $ = og.$;
  const COLOURS = { restricted: "#c62828", seed: "#7f0000", indeterminate: "#ef8f00", clear: "#2e7d32", unknown: "#90a4ae" };
  const SVG = "http://www.w3.org/2000/svg";

  const edgeId = (e) => `${e.owner}→${e.owned}:${e.interest}:${e.start || ""}`;

  function row(tbody, term, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
    const tr = og.el("tr");
    const th = og.el("th", term);
    th.scope = "row";
    const td = og.el("td");
    if (value instanceof Node) td.append(value);
    else if (Array.isArray(value)) td.append(...value.map((v) => og.el("div", v)));
    else td.textContent = String(value);
    tr.append(th, td);
    tbody.append(tr);
  }

  function marginWords(v) {
    const points = (n) => `${Math.round(Math.abs(n) * 100) / 100} percentage point${Math.abs(n) === 1 ? "" : "s"}`;
    const threshold = v.threshold.value;
    const share = v.restricted_share;
    if (v.margin === null || v.margin === undefined) return null;
    if (v.verdict === "clear") return `${points(v.margin)} below the threshold at most`;
    if (v.verdict === "indeterminate") {
      return `undecided: the sure share is ${points(threshold - share.min)} below the threshold, the largest possible ` +
             `${points(share.max - threshold)} above it`;
    }
    return v.margin >= 0 ? `${points(v.margin)} above the threshold at least`
      : `${points(v.margin)} below the threshold, restricted by ${v.reason}`;
  }

  function moment(text) {
    return text ? `${text.replace("T", " ").slice(0, 19)} UTC` : null;
  }

  // What the verdict was computed on: the materialised closure it was read from (or the closure's state when
  // it was evaluated on demand), the database schema and the latest refresh run.
  function dataVersion(v, closure, ready, runs) {
    const lines = [];
    if (closure) {
      if (v.engine === "cypher-materialised" && closure.state === "current") {
        lines.push(`materialised closure ${closure.version}, computed ${moment(closure.computed_at)}`);
      } else {
        lines.push(`evaluated on demand (${v.engine}) when this report was made` +
                   (closure.state === "current" ? `; the policy's closure ${closure.version} holds for ${closure.as_of}` : `; ${closure.message}`));
      }
    } else lines.push(`evaluated by ${v.engine}`);
    if (ready && ready.schema_version) lines.push(`database schema version ${ready.schema_version}`);
    const run = runs && runs.runs && runs.runs[0];
    lines.push(run ? `latest refresh run ${run.id}: ${run.status}${run.ended ? `, ended ${moment(run.ended)}` : ""}`
                   : "no refresh run recorded (data loaded with ownergraph load)");
    return lines;
  }

  // ---- the drawing: owners above what they own, one row per level, the deciding interests in red ----------

  function wrap(text, width = 26) {
    const words = String(text).split(/\s+/);
    const lines = [""];
    for (const word of words) {
      const last = lines[lines.length - 1];
      if (last && (last + " " + word).length > width) lines.push(word);
      else lines[lines.length - 1] = last ? `${last} ${word}` : word;
    }
    if (lines.length > 3) lines.splice(2, lines.length - 2, lines.slice(2).join(" ").slice(0, width - 1) + "…");
    return lines;
  }

  function svgEl(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, val] of Object.entries(attrs)) node.setAttribute(k, String(val));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawPaths(v, parties, edges, status) {
    const ids = [...parties.keys()];
    const level = Object.fromEntries(ids.map((id) => [id, 0]));
    for (let round = 0; round < ids.length; round++) {
      let changed = false;
      for (const e of edges) {
        if (e.owner !== e.owned && level[e.owned] < level[e.owner] + 1 && level[e.owner] + 1 < ids.length) {
          level[e.owned] = level[e.owner] + 1;
          changed = true;
        }
      }
      if (!changed) break;
    }
    const rows = [];
    for (const id of ids) (rows[level[id]] = rows[level[id]] || []).push(id);
    const W = 190, H = 58, GAP_X = 36, GAP_Y = 70;
    const widest = Math.max(...rows.map((r) => (r ? r.length : 0)));
    const width = widest * W + (widest - 1) * GAP_X + 40;
    const x = {};
    const pos = {};
    rows.forEach((row, depth) => {
      if (!row) return;
      const weight = (id) => {
        const above = edges.filter((e) => e.owned === id && x[e.owner] !== undefined).map((e) => x[e.owner]);
        return above.length ? above.reduce((a, b) => a + b, 0) / above.length : 0;
      };
      row.sort((a, b) => weight(a) - weight(b) || a.localeCompare(b));
      const span = row.length * W + (row.length - 1) * GAP_X;
      row.forEach((id, i) => {
        x[id] = (width - span) / 2 + i * (W + GAP_X);
        pos[id] = { x: x[id], y: 20 + depth * (H + GAP_Y) };
      });
    });
    const height = 40 + rows.length * H + (rows.length - 1) * GAP_Y;
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
                               "aria-label": `Control paths of ${v.entity.name || v.entity.id}`, class: "paths-svg" });
    svg.style.maxWidth = `${width}px`;
    const defs = svgEl("defs");
    for (const [name, colour] of [["arrow", "#455a64"], ["arrow-deciding", "#b71c1c"]]) {
      const marker = svgEl("marker", { id: name, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      marker.append(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }));
      defs.append(marker);
    }
    svg.append(defs);
    const deciding = new Set((v.deciding_edges || []).map(edgeId));
    const decides = (e) => v.verdict === "restricted" || deciding.has(edgeId(e));
    for (const e of edges) {
      const a = pos[e.owner], b = pos[e.owned];
      if (!a || !b) continue;
      const x1 = a.x + W / 2, y1 = a.y + H, x2 = b.x + W / 2, y2 = b.y;
      const red = decides(e);
      svg.append(svgEl("line", { x1, y1, x2, y2: y2 - 2, stroke: red ? "#b71c1c" : "#455a64", "stroke-width": red ? 3.5 : 2,
                                 "marker-end": `url(#${red ? "arrow-deciding" : "arrow"})`, class: red ? "edge deciding" : "edge" }));
      const label = e.interest === "shareholding" ? og.shareText(e.share) : `${e.interest} ${og.shareText(e.share)}`;
      const mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
      const tw = label.length * 6.4 + 8;
      svg.append(svgEl("rect", { x: mx - tw / 2, y: my - 9, width: tw, height: 17, rx: 3, fill: "#fff", stroke: "#cfd8dc" }));
      svg.append(svgEl("text", { x: mx, y: my + 4, "text-anchor": "middle", "font-size": 11, "font-weight": red ? 700 : 400,
                                 fill: red ? "#b71c1c" : "#263238" }, label));
    }
    for (const [id, name] of parties) {
      const p = pos[id];
      const s = status(id);
      const g = svgEl("g", { class: `party ${s}`, "data-id": id });
      g.append(svgEl("rect", { x: p.x, y: p.y, width: W, height: H, rx: 6, fill: "#fff", stroke: COLOURS[s] || COLOURS.unknown,
                               "stroke-width": id === v.entity.id ? 4 : 2.5 }));
      g.append(svgEl("rect", { x: p.x, y: p.y, width: 8, height: H, rx: 3, fill: COLOURS[s] || COLOURS.unknown }));
      const lines = wrap(name || id);
      lines.forEach((line, i) => g.append(svgEl("text", { x: p.x + 16, y: p.y + 17 + i * 13, "font-size": 11.5,
                                                          "font-weight": 600, fill: "#1b1b1b" }, line)));
      g.append(svgEl("text", { x: p.x + 16, y: p.y + H - 7, "font-size": 9.5, fill: "#5f6b73" },
                     `${s === "seed" ? "restricted seed" : s === "unknown" ? "not evaluated" : s} · ${id}`.slice(0, 34)));
      svg.append(g);
    }
    return svg;
  }

  // ---- every interest's source records -----------------------------------------------------------------

  async function ownersOf(owned, asOf) {
    const items = [];
    for (let offset = 0; offset < 5000; offset += 500) {
      const params = new URLSearchParams({ depth: "1", limit: "500", offset: String(offset) });
      if (asOf) params.set("as_of", asOf);
      const page = await og.api(`/v1/parties/${encodeURIComponent(owned)}/owners?${params}`);
      items.push(...page.items);
      if (offset + 500 >= page.total) break;
    }
    return items;
  }

  async function recorded(edges, asOf) {
    const byOwned = new Map();
    for (const e of edges) byOwned.set(e.owned, null);
    await Promise.all([...byOwned.keys()].map(async (owned) => byOwned.set(owned, await ownersOf(owned, asOf))));
    return edges.map((e) => {
      const item = byOwned.get(e.owned).find((i) => i.party.id === e.owner);
      const found = item && item.edges.find((x) => edgeId(x) === edgeId(e));
      return Object.assign({}, e, found || {}, { owner_name: e.owner_name || (item && item.party.name), found: Boolean(found) });
    });
  }

  function evidenceBlock(e, names, decides) {
    const block = og.el("div", null, `edge-evidence${decides ? " deciding" : ""}`);
    block.dataset.edge = edgeId(e);
    block.append(og.el("h3", `${names(e.owner)} → ${names(e.owned)}`));
    block.append(og.el("p", [e.interest, `share ${og.shareText(e.share)}`, `from ${e.start || "—"}`, `until ${e.end || "open"}`,
      e.counted === false ? "not counted (declared)" : null, e.declares ? `declares ${e.declares}` : null,
      decides ? "deciding interest" : null].filter(Boolean).join(" · "), "facts"));
    const sources = e.sources || [];
    if (!sources.length) {
      block.append(og.el("p", "No source record is kept for this interest.", "facts"));
      return block;
    }
    const table = og.el("table", null, "data-table sources-table");
    const head = og.el("tr");
    for (const h of ["Source", "Record", "Stated", "Share stated", "From – until stated", "Link"]) head.append(og.el("th", h));
    table.append(og.el("thead"), og.el("tbody"));
    table.tHead.append(head);
    for (const s of sources) {
      const tr = og.el("tr");
      const share = s.share ? og.shareText(s.share) : "—";
      const differs = s.share && share !== og.shareText(e.share);
      const dates = s.start || s.end ? `${s.start || "—"} – ${s.end || "open"}` : "—";
      tr.append(og.el("td", s.source), og.el("td", s.record, "record"), og.el("td", s.statement_date || "—"),
                og.el("td", share + (differs ? " (differs)" : ""), differs ? "differs" : ""), og.el("td", dates));
      const link = og.el("td");
      if (s.url && /^https?:\/\//i.test(s.url)) {
        const a = og.el("a", s.url, "source-url");
        Object.assign(a, { href: s.url, target: "_blank", rel: "noopener noreferrer" });
        link.append(a);
      } else link.textContent = "—";
      tr.append(link);
      table.tBodies[0].append(tr);
    }
    block.append(table);
    return block;
  }

  // ---- the report ----------------------------------------------------------------------------------------

  function fail(message) {
    og.show($("message"), message, "error");
    $("report").dataset.state = "error";
  }

  async function start() {
    $("print").addEventListener("click", () => window.print());
    const params = new URLSearchParams(location.search);
    const party = params.get("party");
    const policy = params.get("policy") || "cn-majority";
    const asOf = params.get("as_of") || "";
    if (!party) return fail("No party given: open a party in the investigator page and choose Case report (report.html?party=ID&policy=NAME&as_of=DATE).");
    if (asOf && !og.validDate(asOf)) return fail(`“${asOf}” is not a date (YYYY-MM-DD).`);
    $("back").href = og.partyHref(party, policy, asOf);
    og.show($("message"), "Reading the verdict and its sources…");
    const query = new URLSearchParams({ policy });
    if (asOf) query.set("as_of", asOf);
    const id = encodeURIComponent(party);
    let details, v, policies, closure, ready, runs;
    try {
      [details, v, policies] = await Promise.all([og.api(`/v1/parties/${id}`), og.api(`/v1/parties/${id}/verdict?${query}`), og.policies()]);
      [closure, ready, runs] = await Promise.all([
        og.api(`/v1/policies/${encodeURIComponent(v.policy)}/closure`).catch(() => null),
        og.api("/readyz").catch(() => null),
        og.api("/v1/refresh/runs?limit=1").catch(() => null)]);
    } catch (error) {
      return fail(error.message);
    }
    const definition = policies.find((p) => p.name === v.policy);
    const generated = new Date().toISOString();
    document.title = `Case report: ${details.name || details.id} · ${v.policy} · ${v.as_of}`;

    // the parties and interests of the paths (for a verdict without paths: the party's direct owners)
    const parties = new Map([[v.entity.id, v.entity.name]]);
    const edges = new Map();
    for (const path of v.paths) {
      for (const e of path.edges) {
        parties.set(e.owner, e.owner_name || parties.get(e.owner));
        parties.set(e.owned, e.owned_name || parties.get(e.owned));
        edges.set(edgeId(e), e);
      }
    }
    let evidence, directOnly = false;
    try {
      if (edges.size) evidence = await recorded([...edges.values()], v.as_of);
      else {
        directOnly = true;
        evidence = (await ownersOf(v.entity.id, v.as_of)).flatMap((i) => i.edges.map((e) => Object.assign({}, e, { owner_name: i.party.name, found: true })));
        for (const e of evidence) parties.set(e.owner, e.owner_name);
      }
    } catch (error) {
      return fail(`Sources: ${error.message}`);
    }
    const others = [...parties.keys()].filter((k) => k !== v.entity.id);
    const book = new og.StatusBook(v.policy, v.as_of);
    await book.want(others);
    const status = (key) => {
      if (key === v.entity.id) return v.reason === "seed" ? "seed" : v.verdict;
      const s = book.get(key);
      if (!s || !s.verdict) return "unknown";
      return s.reason === "seed" ? "seed" : s.verdict;
    };
    const names = (key) => parties.get(key) || key;

    // the head and the verdict
    $("r-title").textContent = `Case report: ${details.name || details.id}`;
    $("r-subtitle").textContent = `${details.id} · ${v.policy} · as of ${v.as_of}`;
    const badge = $("r-badge");
    badge.textContent = v.verdict;
    badge.className = `badge ${v.verdict}`;
    badge.hidden = false;
    const facts = $("r-facts");
    facts.replaceChildren();
    row(facts, "Party", `${details.name || "(no name)"} (${details.id})`);
    row(facts, "Verdict", og.statusTag(v.verdict, null, v.verdict.toUpperCase()));
    row(facts, "Reason", v.reason || "none: not restricted");
    row(facts, "Restricted share", `${og.shareText(v.restricted_share)} (smallest ${v.restricted_share.min}%, largest ${v.restricted_share.max}%)`);
    row(facts, "Threshold", `${v.threshold.inclusive ? "≥" : ">"} ${v.threshold.value}% (${v.method})`);
    row(facts, "Margin", marginWords(v));
    row(facts, "Policy", `${v.policy}${definition ? `: ${definition.description.trim()}` : ""}`);
    row(facts, "Policy hash", v.policy_hash);
    row(facts, "As of", v.as_of);
    row(facts, "Data version", dataVersion(v, closure, ready, runs));
    row(facts, "Report made", moment(generated));
    $("r-summary").hidden = false;

    $("r-sentences").replaceChildren(...v.explanation.map((line) => og.el("li", line)));
    $("r-explanation").hidden = !v.explanation.length;

    // the paths
    if (v.paths.length) {
      $("r-paths-facts").textContent = `${v.paths.length} path${v.paths.length === 1 ? "" : "s"}, ${parties.size} parties, ` +
        `${edges.size} interest${edges.size === 1 ? "" : "s"}; owners above what they own.`;
      $("r-drawing").replaceChildren(drawPaths(v, parties, [...edges.values()], status));
      $("r-path-list").replaceChildren(...v.paths.map((path) => {
        const steps = path.edges.map((e) => `${names(e.owner)} —${og.shareText(e.share)}${e.interest === "shareholding" ? "" : " " + e.interest}→`);
        const last = path.edges[path.edges.length - 1];
        return og.el("li", `${steps.join(" ")} ${names(last.owned)}` + (path.product !== null && path.product !== undefined ? ` (carries ${path.product}%)` : ""));
      }));
      $("r-paths").hidden = false;
    }

    // every interest's sources
    const deciding = new Set((v.deciding_edges || []).map(edgeId));
    $("r-evidence-title").textContent = directOnly ? "The party's direct owners and their sources" : "Sources of every interest on the paths";
    $("r-evidence-facts").textContent = directOnly
      ? (evidence.length ? `No control path: the ${evidence.length} interest${evidence.length === 1 ? "" : "s"} held in the party on ${v.as_of}, with every source record.`
                         : `No control path, and no interest held in the party on ${v.as_of}.`)
      : `Each interest as recorded on ${v.as_of}, with every source record that states it (latest first).` +
        (evidence.some((e) => !e.found) ? " An interest marked without records was not found among the owned party's owners." : "");
    $("r-edges").replaceChildren(...evidence.map((e) => evidenceBlock(e, names, !directOnly && (v.verdict === "restricted" || deciding.has(edgeId(e))))));
    $("r-evidence").hidden = false;

    // the party and the policy
    const pf = $("r-party-facts");
    pf.replaceChildren();
    row(pf, "Name", details.name);
    row(pf, "Kind", details.kind);
    row(pf, "Country", details.country);
    row(pf, "Jurisdiction", details.jurisdiction);
    row(pf, "Headquarters", details.headquarters);
    row(pf, "Status", details.status);
    row(pf, "Identifiers", (details.identifiers || []).map((i) => i.id));
    row(pf, "Lists", (details.lists || []).map((l) => l.name + (l.start ? ` from ${l.start}` : "") + (l.end ? ` until ${l.end}` : "")));
    row(pf, "Nationalities", details.nationalities);
    row(pf, "Addresses", details.addresses);
    row(pf, "Reporting exceptions", details.reporting_exceptions);
    row(pf, "Source records", details.sources);
    $("r-party").hidden = false;
    if (definition) {
      const df = $("r-policy-facts");
      df.replaceChildren();
      row(df, "Name", definition.name);
      row(df, "Hash", definition.hash);
      row(df, "Threshold", definition.threshold);
      for (const [key, value] of Object.entries(definition.definition)) {
        if (key === "name" || key === "threshold") continue;
        const text = Array.isArray(value) ? value.join(", ") || "none"
          : value && typeof value === "object" ? Object.entries(value).map(([k, x]) => `${k}: ${Array.isArray(x) ? x.join(", ") || "none" : x}`).join("; ")
          : String(value);
        row(df, key, text);
      }
      $("r-policy").hidden = false;
    }
    $("r-footer").textContent = `Made by ownergraph on ${moment(generated)} from ${location.origin}; ` +
      `the verdict JSON is GET /v1/parties/${details.id}/verdict?${query}.`;
    og.show($("message"), "");
    $("report").dataset.state = "ready";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
