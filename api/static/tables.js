// The owners and subsidiaries of the party shown, as tables under its graph: one row per interest in force
// on the verdict's date (share, type, dates, the other party's status under the verdict's policy and date,
// every source), sorted and paged in the page, exported as CSV. Statuses come from POST /v1/statuses, the
// rows shown on both tables in one request; a sort by status or an export asks for the rest first.
// It also points the "Case report" link at the party, policy and date shown.
"use strict";
(() => {
  const PAGE = 500;  // rows per owners/subsidiaries request (the API's largest page)
  const MOST = 5000;  // parties the API gathers for one request: the tables show at most these

  // pages.js (the shared table and API helpers) and pages.css, loaded once
  const helpers = new Promise((resolve, reject) => {
    if (window.og) return resolve(window.og);
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = "/static/pages.css";
    document.head.append(style);
    const script = document.createElement("script");
    script.src = "/static/pages.js";
    script.onload = () => resolve(window.og);
    script.onerror = () => reject(new Error("/static/pages.js could not be loaded"));
    document.head.append(script);
  });

  let generation = 0;

  // Another party, policy or date asked for: the tables shown are of the previous one until it is in.
  window.addEventListener("hashchange", () => {
    generation += 1;
    const section = document.getElementById("tables");
    if (section && section.dataset.state) section.dataset.state = "stale";
  });

  document.addEventListener("ownergraph:verdict", async (event) => {
    const { party, verdict } = event.detail;
    const link = document.getElementById("report-link");
    if (link) {
      const params = new URLSearchParams({ party: party.id, policy: verdict.policy });
      if (verdict.as_of) params.set("as_of", verdict.as_of);
      link.href = `/static/report.html?${params}`;
    }
    const mine = ++generation;
    const og = await helpers;
    if (mine === generation) show(og, party, verdict, () => mine === generation);
  });

  // Every interest of the party in one direction, following the API's pages.
  async function interests(og, party, direction, asOf) {
    const rows = [];
    let total = 0, truncated = false;
    for (let offset = 0; offset < MOST; offset += PAGE) {
      const params = new URLSearchParams({ depth: "1", limit: String(PAGE), offset: String(offset) });
      if (asOf) params.set("as_of", asOf);
      const page = await og.api(`/v1/parties/${encodeURIComponent(party.id)}/${direction}?${params}`);
      total = page.total;
      truncated = truncated || page.truncated;
      for (const item of page.items) for (const edge of item.edges) rows.push({ party: item.party, edge });
      if (offset + PAGE >= total) break;
    }
    return { rows, total, truncated };
  }

  function columns(og, book, direction, verdict) {
    const other = direction === "owners" ? "Owner" : "Subsidiary";
    const statusOf = (row) => book.get(row.party.id);
    const statusWord = (row) => {
      const s = statusOf(row);
      return s ? s.verdict || "unknown" : null;
    };
    const sources = (row) => row.edge.sources || [];
    return [
      { key: "party", label: other, sort: (r) => r.party.name || r.party.id,
        cell: (r) => {
          const cell = og.el("span");
          cell.append(og.partyLink(r.party.id, r.party.name, verdict.policy, verdict.as_of), og.el("span", ` ${r.party.id}`, "muted"));
          return cell;
        },
        csv: [[`${direction === "owners" ? "owner" : "subsidiary"}_id`, (r) => r.party.id], ["name", (r) => r.party.name],
              ["kind", (r) => r.party.kind]] },
      { key: "country", label: "Country", sort: (r) => r.party.country, cell: (r) => r.party.country || "—",
        csv: [["country", (r) => r.party.country]] },
      { key: "share", label: "Share", className: "number", sort: (r) => r.edge.share.min + r.edge.share.max / 1000,
        cell: (r) => og.shareText(r.edge.share),
        csv: [["share", (r) => og.shareText(r.edge.share)], ["share_min", (r) => r.edge.share.min],
              ["share_max", (r) => r.edge.share.max], ["min_exclusive", (r) => r.edge.share.min_exclusive],
              ["max_exclusive", (r) => r.edge.share.max_exclusive]] },
      { key: "interest", label: "Interest", sort: (r) => r.edge.interest,
        cell: (r) => r.edge.interest + (r.edge.counted === false ? " (declared, not counted)" : ""),
        csv: [["interest", (r) => r.edge.interest], ["counted", (r) => r.edge.counted !== false]] },
      { key: "start", label: "From", className: "date", sort: (r) => r.edge.start, cell: (r) => r.edge.start || "—",
        csv: [["start", (r) => r.edge.start]] },
      { key: "end", label: "Until", className: "date", sort: (r) => r.edge.end, cell: (r) => r.edge.end || "open",
        csv: [["end", (r) => r.edge.end]] },
      { key: "status", label: "Status", sort: (r) => { const w = statusWord(r); return w === null ? null : og.STATUS_ORDER[w] ?? 3; },
        cell: (r) => {
          const s = statusOf(r);
          if (!s) return og.statusTag(null, "asking…");
          if (!s.verdict) return og.statusTag("unknown", s.error);
          return og.statusTag(s.verdict, s.margin !== null && s.margin !== undefined
            ? `margin ${Math.round(s.margin * 100) / 100} points` : "", s.verdict + (s.reason === "seed" ? " (seed)" : ""));
        },
        csv: [["status", (r) => statusWord(r)], ["reason", (r) => (statusOf(r) || {}).reason]] },
      { key: "sources", label: "Sources", sort: (r) => sources(r).length, className: "sources",
        cell: (r) => {
          const list = og.el("ul", null, "source-list");
          for (const record of sources(r)) {
            const item = og.el("li", og.sourceText(record) + (record.statement_date ? ` (stated ${record.statement_date})` : ""));
            if (record.url && /^https?:\/\//i.test(record.url)) {
              const a = og.el("a", "open");
              Object.assign(a, { href: record.url, target: "_blank", rel: "noopener noreferrer" });
              item.append(" ", a);
            }
            list.append(item);
          }
          if (!sources(r).length) list.append(og.el("li", "no source record kept", "muted"));
          return list;
        },
        csv: [["sources", (r) => sources(r).map((s) => og.sourceText(s) + (s.statement_date ? ` (${s.statement_date})` : "")).join("; ")]] },
    ];
  }

  async function show(og, party, verdict, current) {
    const section = document.getElementById("tables");
    if (!section) return;
    section.dataset.state = "loading";
    const tables = {};
    const book = new og.StatusBook(verdict.policy, verdict.as_of, () => {
      if (current()) for (const t of Object.values(tables)) t.draw();
    });
    window.ownergraph = window.ownergraph || {};
    window.ownergraph.tableStatuses = book;
    const heading = og.el("h2", "Owners and subsidiaries");
    const facts = og.el("p", `Direct interests in force on ${verdict.as_of}; each party's status under ${verdict.policy} ` +
                              "on that date. Click a column to sort; export gives every row.", "facts");
    section.replaceChildren(heading, facts);
    for (const direction of ["owners", "subsidiaries"]) {
      const title = direction === "owners" ? "Owners" : "Subsidiaries";
      tables[direction] = new og.Table({
        id: `${direction}-table`, title, columns: columns(og, book, direction, verdict),
        empty: `No ${direction} recorded on ${verdict.as_of}.`,
        onPage: (rows) => book.want(rows.map((r) => r.party.id)),
        prepare: (rows) => book.want(rows.map((r) => r.party.id)),
        fileName: () => `${direction}-${og.fileSafe(party.id)}-${verdict.policy}-${verdict.as_of}.csv`,
      });
      tables[direction].element.dataset.direction = direction;
      section.append(tables[direction].element);
    }
    const loads = await Promise.all(["owners", "subsidiaries"].map((d) => interests(og, party, d, verdict.as_of)
      .catch((error) => ({ error }))));
    if (!current()) return;
    ["owners", "subsidiaries"].forEach((direction, i) => {
      const load = loads[i];
      if (load.error) return tables[direction].fail(`${direction}: ${load.error.message}`);
      const parties = new Set(load.rows.map((r) => r.party.id)).size;
      const note = `${load.rows.length} interest${load.rows.length === 1 ? "" : "s"} of ${parties} part${parties === 1 ? "y" : "ies"}` +
        (load.truncated || load.total > MOST ? ` (the first ${MOST} parties read; there are more)` : "");
      tables[direction].setRows(load.rows, note);
    });
    section.dataset.state = "ready";
  }
})();
