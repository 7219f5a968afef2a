// The verdict changes feed (GET /v1/changes) as a table: since a date, of one policy or all, sorted and
// exported as CSV; "Later changes" asks for the next ones when the answer was cut at its limit.
// The address keeps the choice: changes.html?since=2024-01-01&policy=cn-majority.
"use strict";
(() => {
  const og = window.og;
  const $ = og.$;
  const LIMIT = 1000;
  let shown = [];
  let request = 0;
  let table = null;

  const keyOf = (c) => [c.party.id, c.policy, c.date, c.old, c.new, c.run].join("|");

  function columns() {
    const list = (items) => {
      const ul = og.el("ul", null, "source-list");
      ul.append(...items.map((x) => og.el("li", x)));
      return items.length ? ul : "—";
    };
    return [
      { key: "recorded", label: "Recorded", className: "date", sort: (c) => c.recorded_at,
        cell: (c) => (c.recorded_at || "").replace("T", " ").slice(0, 19), csv: [["recorded_at", (c) => c.recorded_at]] },
      { key: "party", label: "Party", sort: (c) => c.party.name || c.party.id, cell: (c) => {
        const cell = og.el("span");
        cell.append(og.partyLink(c.party.id, c.party.name, c.policy, c.date), og.el("span", ` ${c.party.id}`, "muted"));
        return cell;
      }, csv: [["party_id", (c) => c.party.id], ["party_name", (c) => c.party.name]] },
      { key: "policy", label: "Policy", sort: (c) => c.policy, cell: (c) => c.policy,
        csv: [["policy", (c) => c.policy], ["policy_hash", (c) => c.policy_hash]] },
      { key: "change", label: "Change", sort: (c) => `${c.old} ${c.new}`, cell: (c) => {
        const cell = og.el("span", null, "change");
        cell.append(og.statusTag(c.old), og.el("span", " → ", "change-arrow"), og.statusTag(c.new));
        return cell;
      }, csv: [["old", (c) => c.old], ["new", (c) => c.new]] },
      { key: "date", label: "Holds from", className: "date", sort: (c) => c.date, cell: (c) => c.date,
        csv: [["date", (c) => c.date]] },
      { key: "causes", label: "Causes", cell: (c) => list(c.causes), csv: [["causes", (c) => c.causes.join("; ")]] },
      { key: "witness", label: "Witness interests", cell: (c) => list(c.witness), csv: [["witness", (c) => c.witness.join("; ")]] },
      { key: "run", label: "Run", sort: (c) => c.run, cell: (c) => c.run, csv: [["run", (c) => c.run]] },
    ];
  }

  // `since` is inclusive and a refresh records its changes at one moment: the changes already shown from
  // that moment come again, so the limit grows by as many (at most the API's 10000).
  async function fetchFrom(since, again) {
    const params = new URLSearchParams({ since, limit: String(Math.min(LIMIT + again, 10000)) });
    if ($("policy").value) params.set("policy", $("policy").value);
    return og.api(`/v1/changes?${params}`);
  }

  function draw(answer, cut) {
    const policy = $("policy").value;
    table.setRows(shown, "");
    $("changes-facts").textContent = `${shown.length} change${shown.length === 1 ? "" : "s"} recorded since ${$("since").value}` +
      (policy ? ` under ${policy}` : " under every policy") + (cut ? "; there may be later ones" : "");
    $("later").hidden = !cut;
  }

  async function show(more = false) {
    const mine = ++request;
    $("changes").dataset.state = "loading";
    og.show($("message"), "");
    const since = more && shown.length ? shown[shown.length - 1].recorded_at : $("since").value;
    const again = more ? shown.filter((c) => c.recorded_at === since).length : 0;
    if (!more) {
      shown = [];
      const params = new URLSearchParams({ since: $("since").value });
      if ($("policy").value) params.set("policy", $("policy").value);
      history.replaceState(null, "", `?${params}`);
      table = new og.Table({
        id: "changes-table", title: "Changes", columns: columns(), pageSize: 50, pageSizes: [25, 50, 100, 250],
        empty: "No verdict changed in this period.",
        fileName: () => `verdict-changes-since-${$("since").value}${$("policy").value ? "-" + $("policy").value : ""}.csv`,
      });
      $("changes-slot").replaceChildren(table.element);
    }
    let answer;
    try {
      answer = await fetchFrom(since, again);
    } catch (error) {
      if (mine !== request) return;
      og.show($("message"), error.message, "error");
      table.fail(error.message);
      $("changes").dataset.state = "error";
      return;
    }
    if (mine !== request) return;
    const seen = new Set(shown.map(keyOf));
    const fresh = answer.changes.filter((c) => !seen.has(keyOf(c)));
    shown.push(...fresh);
    draw(answer, answer.changes.length >= Math.min(LIMIT + again, 10000) && fresh.length > 0);
    $("changes").dataset.state = "ready";
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    const since = params.get("since");
    const monthAgo = new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10);
    $("since").value = since && og.validDate(since) ? since : monthAgo;
    try {
      await og.fillPolicies($("policy"), params.get("policy") || "", [["", "every policy"]]);
    } catch (error) {
      $("changes").dataset.state = "error";
      return og.show($("message"), error.message, "error");
    }
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); show(); });
    $("policy").addEventListener("change", () => show());
    $("later").addEventListener("click", () => show(true));
    show();  // clears the message line first
    if (since && !og.validDate(since)) og.show($("message"), `“${since}” is not a date (YYYY-MM-DD): showing the last 30 days.`, "error");
  }

  document.addEventListener("DOMContentLoaded", start);
})();
