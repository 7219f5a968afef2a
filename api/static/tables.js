// The owners and subsidiaries of the party shown, as tables (filled in by the tables module).
"use strict";
document.addEventListener("ownergraph:verdict", (event) => {
  const { party, verdict } = event.detail;
  const link = document.getElementById("report-link");
  const params = new URLSearchParams({ party: party.id, policy: verdict.policy });
  if (verdict.as_of) params.set("as_of", verdict.as_of);
  link.href = `/static/report.html?${params}`;
});
