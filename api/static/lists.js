// A policy's restricted (or indeterminate) parties, read from its materialised closure a page at a time
// (GET /v1/policies/{name}/parties), with the closure's date and version; exported as CSV whole.
// The address keeps the choice: lists.html?policy=cn-majority&status=restricted.
"use strict";
(() => {
  const og = window.og;
  const $ = og.$;
  const EXPORT_MOST = 20000;
  let table = null;

  function chosen() {
    return { policy: $("policy").value, status: $("status").value };
  }

  async function page(offset, limit) {
    const { policy, status } = chosen();
    const params = new URLSearchParams({ limit: String(limit), offset: String(offset) });
    if (status) params.set("status", status);
    return og.api(`/v1/policies/${encodeURIComponent(policy)}/parties?${params}`);
  }

  function columns() {
    return [
      { key: "party", label: "Party", cell: (p) => {
        const cell = og.el("span");
        cell.append(og.partyLink(p.id, p.name, chosen().policy, p.as_of), og.el("span", ` ${p.id}`, "muted"));
        return cell;
      }, csv: [["id", (p) => p.id], ["name", (p) => p.name]] },
      { key: "kind", label: "Kind", cell: (p) => p.kind || "—", csv: [["kind", (p) => p.kind]] },
      { key: "country", label: "Country", cell: (p) => p.country || "—", csv: [["country", (p) => p.country]] },
      { key: "status", label: "Status", cell: (p) => og.statusTag(p.status, null, p.status + (p.seed ? " (seed)" : "")),
        csv: [["status", (p) => p.status], ["seed", (p) => p.seed]] },
      { key: "reason", label: "Reason", cell: (p) => p.reason || "—", csv: [["reason", (p) => p.reason]] },
      { key: "round", label: "Round", className: "number", cell: (p) => p.round, csv: [["round", (p) => p.round]] },
      { key: "lists", label: "Lists", cell: (p) => p.lists.join(", ") || "—", csv: [["lists", (p) => p.lists.join("; ")]] },
      { key: "as_of", label: "As of", className: "date", cell: (p) => p.as_of, csv: [["policy", (p) => p.policy],
        ["policy_hash", (p) => p.policy_hash], ["as_of", (p) => p.as_of]] },
    ];
  }

  function describe(answer) {
    const computed = answer.computed_at ? `, computed ${answer.computed_at.replace("T", " ").slice(0, 19)} UTC` : "";
    return `${answer.total} ${answer.status || "restricted or indeterminate"} part${answer.total === 1 ? "y" : "ies"} ` +
           `under ${answer.policy} as of ${answer.as_of}${computed} (closure ${answer.version}, policy hash ${answer.policy_hash})`;
  }

  function rows(answer) {
    return answer.items.map((p) => Object.assign(p, { as_of: answer.as_of, policy: answer.policy, policy_hash: answer.policy_hash }));
  }

  function build() {
    $("list").dataset.state = "loading";
    og.show($("message"), "");
    $("closure-facts").textContent = "";
    const { policy, status } = chosen();
    const params = new URLSearchParams({ policy });
    params.set("status", status);
    history.replaceState(null, "", `?${params}`);
    const mine = new og.Table({
      id: "list-table", title: status ? `${status[0].toUpperCase()}${status.slice(1)} under ${policy}` : `Restricted or indeterminate under ${policy}`,
      columns: columns(), pageSize: 50, pageSizes: [25, 50, 100, 250],
      empty: `No party is ${status || "restricted or indeterminate"} under ${policy}.`,
      load: async (offset, limit) => {
        let answer;
        try {
          answer = await page(offset, limit);
        } catch (error) {
          if (table === mine) {
            og.show($("message"), error.message, "error");
            $("list").dataset.state = "error";
          }
          throw error;
        }
        if (table !== mine) return { rows: [], total: 0 };  // another policy or status was chosen meanwhile
        $("closure-facts").textContent = describe(answer);
        $("list").dataset.state = "ready";
        return { rows: rows(answer), total: answer.total };
      },
      exportRows: async () => {
        const all = [];
        for (let offset = 0; offset < EXPORT_MOST; offset += 500) {
          const answer = await page(offset, 500);
          all.push(...rows(answer));
          if (offset + 500 >= answer.total) break;
        }
        return all;
      },
      fileName: () => `${chosen().policy}-${chosen().status || "restricted-indeterminate"}.csv`,
    });
    table = mine;
    $("list-slot").replaceChildren(mine.element);
    mine.render();
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    try {
      await og.fillPolicies($("policy"), params.get("policy") || "cn-majority");
    } catch (error) {
      $("list").dataset.state = "error";
      return og.show($("message"), error.message, "error");
    }
    if (params.has("status") && [...$("status").options].some((o) => o.value === params.get("status"))) {
      $("status").value = params.get("status");
    }
    $("policy").addEventListener("change", build);
    $("status").addEventListener("change", build);
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); build(); });
    build();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
