// What the investigator's pages share (lists, changes, screening, the case report, the party page's tables):
// the API with its key prompt, small DOM helpers, share texts as the party page writes them, CSV files made
// in the browser, and a table that sorts, pages and exports. Everything hangs off window.og.
"use strict";
(() => {
  const og = {};
  og.$ = (id) => document.getElementById(id);

  og.el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  };

  // ---- the API: JSON in and out; a server that needs a key asks for one and keeps it for the session ----

  og.api = async (path, options = {}) => {
    const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    const key = sessionStorage.getItem("ownergraph-key");
    if (key) headers["X-API-Key"] = key;
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (response.status === 401) {
      const entered = window.prompt("This server needs an API key:");
      if (entered) {
        sessionStorage.setItem("ownergraph-key", entered.trim());
        return og.api(path, options);
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
  };

  og.postJson = (path, body) => og.api(path, { method: "POST", headers: { "Content-Type": "application/json" },
                                               body: JSON.stringify(body) });

  let policies = null;
  og.policies = () => (policies = policies || og.api("/v1/policies"));

  // A policy selector filled with the built-ins; `value` chosen when it is one of them.
  og.fillPolicies = async (select, value, extra = []) => {
    const known = await og.policies();
    select.replaceChildren(...extra.map(([v, label]) => Object.assign(og.el("option", label), { value: v })),
      ...known.map((p) => Object.assign(og.el("option", p.name), { value: p.name, title: p.description })));
    if (value !== null && value !== undefined && [...select.options].some((o) => o.value === value)) select.value = value;
    return known;
  };

  // ---- texts -----------------------------------------------------------------------------------------

  // A share as the party page writes it: 60%, or a range with its exclusive ends, (25–50]%.
  og.shareText = (share) => {
    if (!share) return "—";
    if (share.min === share.max) return `${share.min}%`;
    return `${share.min_exclusive ? "(" : "["}${share.min}–${share.max}${share.max_exclusive ? ")" : "]"}%`;
  };

  og.sourceText = (record) => [record.source, record.record].filter(Boolean).join(" · ");

  og.partyHref = (id, policy, asOf) => {
    const params = new URLSearchParams();
    if (policy) params.set("policy", policy);
    if (asOf) params.set("as_of", asOf);
    const query = params.toString();
    return `/#/party/${encodeURIComponent(id)}${query ? "?" + query : ""}`;
  };

  og.partyLink = (id, name, policy, asOf) => {
    const link = og.el("a", name || id);
    link.href = og.partyHref(id, policy, asOf);
    return link;
  };

  og.statusTag = (status, title, text) => {
    const tag = og.el("span", text || status || "…", `status ${status || "pending"}`);
    if (title) tag.title = title;
    return tag;
  };

  og.validDate = (text) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number(text.slice(0, 4)) < 1000) return false;
    const day = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
  };

  og.show = (box, message, kind = "info") => {
    box.textContent = message || "";
    box.className = `message ${kind}`;
    box.hidden = !message;
  };

  // ---- files made in the browser ---------------------------------------------------------------------

  og.download = (blob, name) => {
    const url = URL.createObjectURL(blob);
    const link = og.el("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  // One CSV cell: quoted when it must be; a leading = + - @ or tab is escaped so that a spreadsheet
  // does not read a party's name as a formula (as the API's screening CSV does).
  og.csvCell = (value) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };

  og.csvText = (header, rows) => [header, ...rows].map((r) => r.map(og.csvCell).join(",")).join("\n") + "\n";

  og.fileSafe = (text) => String(text).replace(/[^\w.-]+/g, "_");

  // ---- a table that sorts, pages and exports ---------------------------------------------------------
  //
  // columns: [{key, label, cell(row) -> text or Node, sort(row) -> number or text (absent: not sortable),
  //            csv: [[header, row -> value], ...] (default: label and the cell's text)}]
  // Rows are given whole (setRows) and sorted and paged here, or, with `load(offset, limit) -> {rows,
  // total}`, paged by the server (no sorting). `onPage(rows)` hears of the rows shown; `prepare(rows,
  // why)` may fetch what a sort or an export needs first; `exportRows()` gives every row in load mode.
  // The table's element carries data-state: loading, ready, error.

  og.Table = class {
    constructor(options) {
      this.o = Object.assign({ pageSize: 25, pageSizes: [10, 25, 50, 100], empty: "Nothing to show." }, options);
      this.rows = [];
      this.total = 0;
      this.offset = 0;
      this.pageSize = this.o.pageSize;
      this.sortKey = null;
      this.sortDir = 1;
      this.shown = [];
      this.generation = 0;
      const root = og.el("div", null, "og-table");
      if (this.o.id) root.id = this.o.id;
      root.dataset.state = "loading";
      const head = og.el("div", null, "og-table-head");
      if (this.o.title) head.append(og.el("h3", this.o.title));
      this.note = og.el("span", "", "facts");
      this.exportButton = og.el("button", "Export CSV", "export-csv no-print");
      this.exportButton.type = "button";
      this.exportButton.addEventListener("click", () => this.exportCsv());
      head.append(this.note, og.el("span", null, "spacer"), this.exportButton);
      this.table = og.el("table", null, "data-table");
      if (this.o.caption) this.table.append(og.el("caption", this.o.caption));
      const headRow = og.el("tr");
      this.headers = {};
      for (const column of this.o.columns) {
        const th = og.el("th");
        th.scope = "col";
        th.dataset.key = column.key;
        if (column.sort && !this.o.load) {
          const button = og.el("button", column.label, "sort");
          button.type = "button";
          button.addEventListener("click", () => this.sortBy(column.key));
          th.append(button);
          th.setAttribute("aria-sort", "none");
        } else th.textContent = column.label;
        this.headers[column.key] = th;
        headRow.append(th);
      }
      this.table.append(og.el("thead"), og.el("tbody"));
      this.table.tHead.append(headRow);
      this.body = this.table.tBodies[0];
      const scroller = og.el("div", null, "og-table-scroll");
      scroller.append(this.table);
      this.pager = og.el("div", null, "pager no-print");
      this.previous = og.el("button", "‹ Previous", "previous");
      this.next = og.el("button", "Next ›", "next");
      for (const b of [this.previous, this.next]) b.type = "button";
      this.previous.addEventListener("click", () => this.goTo(this.offset - this.pageSize));
      this.next.addEventListener("click", () => this.goTo(this.offset + this.pageSize));
      this.range = og.el("span", "", "range");
      const sizes = og.el("select", null, "page-size");
      sizes.setAttribute("aria-label", "Rows per page");
      for (const n of this.o.pageSizes) sizes.append(Object.assign(og.el("option", `${n} a page`), { value: String(n) }));
      sizes.value = String(this.pageSize);
      sizes.addEventListener("change", () => { this.pageSize = Number(sizes.value); this.goTo(0); });
      this.pager.append(this.previous, this.range, this.next, sizes);
      root.append(head, scroller, this.pager);
      this.element = root;
    }

    setRows(rows, note = "") {
      this.rows = rows.map((row, index) => Object.assign(row, { _index: index }));
      this.total = rows.length;
      this.note.textContent = note;
      this.offset = 0;
      this.applySort();
      this.render();
    }

    fail(message) {
      this.body.replaceChildren();
      const row = og.el("tr");
      const cell = og.el("td", message, "error");
      cell.colSpan = this.o.columns.length;
      row.append(cell);
      this.body.append(row);
      this.element.dataset.state = "error";
    }

    async sortBy(key) {
      this.sortDir = this.sortKey === key ? -this.sortDir : 1;
      this.sortKey = key;
      this.element.dataset.state = "loading";
      if (this.o.prepare) await this.o.prepare(this.rows, "sort");
      this.applySort();
      this.offset = 0;
      this.render();
    }

    applySort() {
      for (const [key, th] of Object.entries(this.headers)) {
        if (th.hasAttribute("aria-sort")) th.setAttribute("aria-sort", key !== this.sortKey ? "none" : this.sortDir > 0 ? "ascending" : "descending");
      }
      const column = this.o.columns.find((c) => c.key === this.sortKey);
      if (!column) return;
      const value = (row) => column.sort(row);
      const dir = this.sortDir;
      this.rows.sort((a, b) => {
        const x = value(a), y = value(b);
        const missing = (v) => v === null || v === undefined || v === "";
        if (missing(x) || missing(y)) return missing(x) === missing(y) ? a._index - b._index : missing(x) ? 1 : -1;
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { sensitivity: "base", numeric: true });
        return order * dir || a._index - b._index;
      });
    }

    goTo(offset) {
      this.offset = Math.max(0, Math.min(offset, Math.max(0, (Math.ceil(this.total / this.pageSize) - 1) * this.pageSize)));
      this.render();
    }

    async render() {
      const generation = ++this.generation;
      this.element.dataset.state = "loading";
      let rows;
      if (this.o.load) {
        try {
          const page = await this.o.load(this.offset, this.pageSize);
          if (generation !== this.generation) return;
          rows = page.rows;
          this.total = page.total;
          if (page.note !== undefined) this.note.textContent = page.note;
        } catch (error) {
          if (generation === this.generation) this.fail(error.message);
          return;
        }
      } else rows = this.rows.slice(this.offset, this.offset + this.pageSize);
      this.shown = rows;
      this.draw();
      this.element.dataset.state = "ready";
      if (this.o.onPage) this.o.onPage(rows);
    }

    // The rows shown drawn again (when statuses arrive, say), the page and order kept.
    draw() {
      const rows = this.shown;
      if (!rows.length) {
        const row = og.el("tr");
        const cell = og.el("td", this.o.empty, "empty");
        cell.colSpan = this.o.columns.length;
        row.append(cell);
        this.body.replaceChildren(row);
      } else {
        this.body.replaceChildren(...rows.map((data) => {
          const row = og.el("tr");
          for (const column of this.o.columns) {
            const cell = og.el("td", null, column.className || "");
            const content = column.cell(data);
            if (content instanceof Node) cell.append(content);
            else cell.textContent = content === null || content === undefined ? "" : String(content);
            row.append(cell);
          }
          return row;
        }));
      }
      const last = Math.min(this.offset + rows.length, this.total);
      this.range.textContent = this.total ? `rows ${this.offset + 1}–${last} of ${this.total}` : "no rows";
      this.previous.disabled = this.offset === 0;
      this.next.disabled = this.offset + this.pageSize >= this.total;
      this.pager.hidden = this.total <= this.o.pageSizes[0];
      this.exportButton.disabled = !this.total;
    }

    async exportCsv() {
      this.exportButton.disabled = true;
      try {
        const rows = this.o.exportRows ? await this.o.exportRows() : this.rows;
        if (this.o.prepare) await this.o.prepare(rows, "export");
        const columns = this.o.columns.flatMap((c) => c.csv || [[c.label, (row) => {
          const content = c.cell(row);
          return content instanceof Node ? content.textContent : content;
        }]]);
        const text = og.csvText(columns.map(([header]) => header), rows.map((row) => columns.map(([, value]) => value(row))));
        og.download(new Blob([text], { type: "text/csv;charset=utf-8" }), this.o.fileName ? this.o.fileName() : "table.csv");
      } catch (error) {
        this.note.textContent = `Export failed: ${error.message}`;
      } finally {
        this.exportButton.disabled = !this.total;
      }
    }
  };

  // ---- statuses: many parties' verdicts in short, asked for together (POST /v1/statuses, 200 an answer) --
  //
  // Ids asked for within one turn of the event loop go in one request; answers are kept per policy and date.

  og.StatusBook = class {
    constructor(policy, asOf, onAnswer) {
      this.policy = policy;
      this.asOf = asOf;
      this.onAnswer = onAnswer;
      this.known = new Map();
      this.asked = new Map();
      this.queue = new Set();
      this.flushing = null;
      this.requests = 0;
    }

    get(id) {
      return this.known.get(id);
    }

    // A promise that settles once every id has an answer (or its request failed).
    want(ids) {
      for (const id of ids) if (!this.known.has(id) && !this.asked.has(id)) this.queue.add(id);
      if (this.queue.size && !this.flushing) this.flushing = Promise.resolve().then(() => this.flush());
      const flushed = this.flushing || Promise.resolve();
      return flushed.then(() => Promise.all(ids.map((id) => this.asked.get(id)))).then(() => undefined);
    }

    flush() {
      const ids = [...this.queue];
      this.queue.clear();
      this.flushing = null;
      for (let i = 0; i < ids.length; i += 200) {
        const batch = ids.slice(i, i + 200);
        this.requests += 1;
        const body = { ids: batch, policy: this.policy };
        if (this.asOf) body.as_of = this.asOf;
        const answer = og.postJson("/v1/statuses", body).then((answers) => {
          for (const a of answers) this.known.set(a.id, a);
          if (this.onAnswer) this.onAnswer(answers);
        }, (error) => {
          for (const id of batch) this.known.set(id, { id, verdict: null, error: error.message });
          if (this.onAnswer) this.onAnswer([]);
        });
        for (const id of batch) this.asked.set(id, answer);
      }
    }
  };

  og.STATUS_ORDER = { restricted: 0, indeterminate: 1, clear: 2 };

  window.og = og;
})();
