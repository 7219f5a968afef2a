// Screening in the page: a CSV file uploaded to POST /v1/screen (the format `ownergraph screen` reads), the
// rows shown with their match, score, candidates and verdict, and the result downloaded as CSV, written
// here from the answer shown with the columns and values of the API's (and the CLI's) result CSV.
"use strict";
(() => {
  const og = window.og;
  const $ = og.$;
  // as ownergraph/screening/csv_rows.RESULT_COLUMNS
  const RESULT_COLUMNS = ["ref", "input_id", "input_name", "input_country", "match", "score", "party_id", "party_name",
    "verdict", "reason", "restricted_share_min", "restricted_share_max", "policy", "policy_hash", "as_of",
    "candidates", "error"];
  let answer = null;
  let request = 0;

  // Python's format(x, "g") and str(float) for the numbers the API's CSV writes (scores, shares in 0-100).
  function pyG(x) {
    if (x === 0) return "0";
    const exponent = Math.floor(Math.log10(Math.abs(x)));
    if (exponent < -4 || exponent >= 6) {
      const [mantissa, power] = Number(x).toExponential(5).split("e");
      const p = Number(power);
      return `${mantissa.replace(/\.?0+$/, "")}e${p < 0 ? "-" : "+"}${String(Math.abs(p)).padStart(2, "0")}`;
    }
    const text = Number(x).toPrecision(6);
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  }
  const pyFloat = (x) => (x === null || x === undefined ? "" : Number.isInteger(x) ? x.toFixed(1) : String(x));

  function resultRow(r, a) {
    const v = r.verdict || {};
    const share = v.restricted_share || {};
    const party = r.party || {};
    const candidates = r.candidates.map((c) => `${c.id} (${c.name || "no name"}) ${pyG(c.score)}`).join("; ");
    return [r.input.ref, r.input.id, r.input.name, r.input.country, r.match, pyG(r.score), party.id, party.name,
      v.verdict, v.reason, pyFloat(share.min), pyFloat(share.max), a.policy, a.policy_hash, a.as_of, candidates, r.error];
  }

  function columns(a) {
    return [
      { key: "ref", label: "Ref", sort: (r) => r.input.ref, cell: (r) => r.input.ref || "—" },
      { key: "input", label: "Input", sort: (r) => r.input.name || r.input.id,
        cell: (r) => [r.input.id, r.input.name, r.input.country].filter(Boolean).join(" · ") },
      { key: "match", label: "Match", sort: (r) => r.match, cell: (r) => r.match },
      { key: "score", label: "Score", className: "number", sort: (r) => r.score, cell: (r) => pyG(r.score) },
      { key: "party", label: "Matched party", sort: (r) => (r.party ? r.party.name || r.party.id : null), cell: (r) => {
        if (!r.party) return "—";
        const cell = og.el("span");
        cell.append(og.partyLink(r.party.id, r.party.name, a.policy, a.as_of), og.el("span", ` ${r.party.id}`, "muted"));
        return cell;
      } },
      { key: "verdict", label: "Verdict", sort: (r) => (r.verdict ? og.STATUS_ORDER[r.verdict.verdict] : null),
        cell: (r) => (r.verdict ? og.statusTag(r.verdict.verdict, r.verdict.explanation.join(" ")) : "—") },
      { key: "reason", label: "Reason", sort: (r) => r.verdict && r.verdict.reason, cell: (r) => (r.verdict && r.verdict.reason) || "—" },
      { key: "share", label: "Restricted share", className: "number", sort: (r) => (r.verdict ? r.verdict.restricted_share.min : null),
        cell: (r) => (r.verdict ? og.shareText(r.verdict.restricted_share) : "—") },
      { key: "candidates", label: "Candidates", cell: (r) => {
        if (!r.candidates.length) return "—";
        const list = og.el("ul", null, "candidates");
        list.append(...r.candidates.map((c) => og.el("li", `${c.name || "no name"} (${c.id}) ${pyG(c.score)}`)));
        return list;
      } },
      { key: "error", label: "Error", sort: (r) => r.error, cell: (r) => r.error || "" },
    ];
  }

  function summary(a) {
    const count = (f) => a.results.filter(f).length;
    const parts = [`${a.results.length} row${a.results.length === 1 ? "" : "s"}`,
      `${count((r) => r.match === "identifier")} by identifier`, `${count((r) => r.match === "name")} by name`,
      `${count((r) => r.match === "ambiguous")} ambiguous`, `${count((r) => r.match === "none")} not matched`,
      `${count((r) => r.error)} with errors`, `${count((r) => r.verdict && r.verdict.verdict === "restricted")} restricted`,
      `${count((r) => r.verdict && r.verdict.verdict === "indeterminate")} indeterminate`,
      `${count((r) => r.verdict && r.verdict.verdict === "clear")} clear`];
    return `${parts.join(" · ")}; ${a.policy} (hash ${a.policy_hash}) as of ${a.as_of}, least name score ${a.min_score}.`;
  }

  async function run(event) {
    event.preventDefault();
    const file = $("file").files[0];
    if (!file) return og.show($("message"), "Choose a CSV file first.", "error");
    const mine = ++request;
    $("screen").dataset.state = "screening";
    $("download").disabled = true;
    og.show($("message"), `Screening ${file.name}…`);
    const params = new URLSearchParams({ policy: $("policy").value });
    if ($("as-of").value) params.set("as_of", $("as-of").value);
    if ($("min-score").value !== "") params.set("min_score", $("min-score").value);
    const form = new FormData();
    form.append("file", file, file.name);
    let result;
    try {
      result = await og.api(`/v1/screen?${params}`, { method: "POST", body: form });
    } catch (error) {
      if (mine !== request) return;
      $("screen").dataset.state = "error";
      return og.show($("message"), `${file.name}: ${error.message}`, "error");
    }
    if (mine !== request) return;
    answer = Object.assign(result, { file: file.name });
    og.show($("message"), "");
    $("screen-facts").textContent = summary(answer);
    const table = new og.Table({ id: "results-table", title: `Results for ${file.name}`, columns: columns(answer),
      pageSize: 50, pageSizes: [25, 50, 100, 250, 1000], empty: "The file has no rows.",
      fileName: () => resultName() });
    // the table's own export gives what is shown; the result file is the API's format (below)
    table.exportButton.hidden = true;
    table.setRows(answer.results);
    $("results-slot").replaceChildren(table.element);
    $("download").disabled = false;
    $("screen").dataset.state = "ready";
  }

  function resultName() {
    return `screening-${og.fileSafe(answer.file.replace(/\.csv$/i, ""))}-${answer.policy}-${answer.as_of}.csv`;
  }

  function downloadResult() {
    if (!answer) return;
    const text = og.csvText(RESULT_COLUMNS, answer.results.map((r) => resultRow(r, answer)));
    og.download(new Blob([text], { type: "text/csv;charset=utf-8" }), resultName());
  }

  async function start() {
    try {
      await og.fillPolicies($("policy"), "cn-majority");
    } catch (error) {
      $("screen").dataset.state = "error";
      return og.show($("message"), error.message, "error");
    }
    $("screen-form").addEventListener("submit", run);
    $("download").addEventListener("click", downloadResult);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
