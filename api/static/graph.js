// The investigator page's graph at scale: a layered layout (owners above what they own) that packs many
// siblings of one party into a box of rows, levels that can be hidden, search and filter within the graph,
// a fit that keeps labels legible, and the PNG export with its title band and legend. app.js draws the
// graph and calls these.
"use strict";

const GRAPH = {
  FONT: 12,             // a party's label, in px at zoom 1
  READABLE_ZOOM: 0.75,  // below it labels are under 9 px: Fit pans instead of shrinking further
  MAX_FIT_ZOOM: 1.5,    // a graph of two parties is not blown up to fill the box
  HIDDEN_LABEL_PX: 7,   // labels that would be drawn smaller than this are left out (whole-graph view)
  GROUP_MIN: 6,         // this many parties holding (or held by) one party and nothing else are packed
  CELL_W: 230, CELL_H: 34, MEMBER_LABEL_W: 180, BOX_PAD: 12, BOX_HEAD: 32,
  EXPORT_MAX_W: 2000, EXPORT_MAX_GRAPH_H: 2400,
};

// The parties drawn (group boxes are not parties).
function partiesOf(cy) {
  return cy.nodes().not(".group");
}

// ---- the layout -----------------------------------------------------------------------------------------

// view: { root, levels (null: all), collapsed: Set of group ids, pages: Map "direction:id" -> {shown, total} }
function layoutGraph(cy, view) {
  let groups = [];
  cy.batch(() => {
    cy.remove(".group");  // the boxes, and the edges drawn to them
    cy.nodes().removeData("box glabel");
    cy.elements().removeClass("member grouped beyond collapsed member-path member-deciding");
    markBeyond(cy, view);
    groups = findGroups(cy, view);
    for (const group of groups) addGroup(cy, group, view);
  });
  const laid = cy.nodes().not(".member, .beyond");
  const ids = new Set(laid.map((n) => n.id()));
  const edges = laid.connectedEdges().filter((e) => !e.hasClass("grouped") && ids.has(e.source().id()) && ids.has(e.target().id()));
  // dagre centres the box it is given (the node and its label) on the position; the node is drawn at its
  // own centre, left of its label: shift each by the difference so that label boxes keep dagre's spacing.
  const offsets = new Map();
  laid.forEach((n) => {
    const box = n.boundingBox();
    const at = n.position();
    offsets.set(n.id(), { x: at.x - (box.x1 + box.x2) / 2, y: at.y - (box.y1 + box.y2) / 2 });
  });
  laid.union(edges).layout({
    name: "dagre", rankDir: "TB", nodeSep: 36, rankSep: 70, edgeSep: 12, nodeDimensionsIncludeLabels: true,
    fit: false, animate: false,
    transform: (node, pos) => {
      const shift = offsets.get(node.id()) || { x: 0, y: 0 };
      return { x: pos.x + shift.x, y: pos.y + shift.y };
    },
  }).run();
  for (const group of groups) placeMembers(cy, group);
  return groups;
}

// Parties more than `levels` interests away from the party opened are hidden (levels collapsed).
function markBeyond(cy, view) {
  if (!view.levels) return;
  const root = cy.getElementById(view.root);
  if (root.empty()) return;
  const distance = new Map([[view.root, 0]]);
  let frontier = [root];
  for (let d = 1; d <= view.levels && frontier.length; d++) {
    const next = [];
    for (const node of frontier) {
      node.connectedEdges().forEach((e) => {
        for (const other of [e.source(), e.target()]) {
          if (!distance.has(other.id())) {
            distance.set(other.id(), d);
            next.push(other);
          }
        }
      });
    }
    frontier = next;
  }
  partiesOf(cy).forEach((n) => { if (!distance.has(n.id())) n.addClass("beyond"); });
}

// Siblings: parties whose every interest drawn is with one and the same party, in one direction (its owners,
// or its subsidiaries). GROUP_MIN of them or more are packed into one box above (or below) that party.
function findGroups(cy, view) {
  const found = new Map();
  partiesOf(cy).not(".beyond").forEach((node) => {
    if (node.id() === view.root) return;
    const edges = node.connectedEdges().filter((e) => e.source().id() !== e.target().id() &&
      !e.source().hasClass("beyond") && !e.target().hasClass("beyond"));
    if (!edges.length) return;
    const others = new Set(edges.map((e) => (e.source().id() === node.id() ? e.target().id() : e.source().id())));
    if (others.size !== 1) return;
    const owns = edges.every((e) => e.source().id() === node.id());
    const owned = edges.every((e) => e.target().id() === node.id());
    if (!owns && !owned) return;
    const anchor = [...others][0];
    const direction = owns ? "owners" : "subsidiaries";
    const id = `group:${direction}:${anchor}`;
    if (!found.has(id)) found.set(id, { id, anchor, direction, members: [], edges: [] });
    const group = found.get(id);
    group.members.push(node);
    group.edges.push(...edges);
  });
  const width = Math.max(cy.width(), 320);
  const fitting = Math.floor((width / GRAPH.READABLE_ZOOM - 4 * GRAPH.BOX_PAD) / GRAPH.CELL_W);
  const groups = [];
  for (const group of found.values()) {
    if (group.members.length < GRAPH.GROUP_MIN) continue;
    const byOrder = (n) => (n.data("order") === undefined ? Number.MAX_SAFE_INTEGER : n.data("order"));
    group.members.sort((a, b) => byOrder(a) - byOrder(b) || String(a.data("label")).localeCompare(String(b.data("label"))));
    const n = group.members.length;
    let cols = Math.max(2, Math.min(8, fitting, n));
    const rows = Math.ceil(n / cols);
    cols = Math.ceil(n / rows);
    group.collapsed = view.collapsed.has(group.id);
    Object.assign(group, { cols, rows });
    if (group.collapsed) Object.assign(group, { w: 280, h: 46 });
    else Object.assign(group, { w: cols * GRAPH.CELL_W + 2 * GRAPH.BOX_PAD, h: GRAPH.BOX_HEAD + rows * GRAPH.CELL_H + GRAPH.BOX_PAD });
    groups.push(group);
  }
  return groups;
}

function groupLabel(cy, group, view) {
  const anchor = cy.getElementById(group.anchor);
  const name = anchor.data("label") || group.anchor;
  const n = group.members.length;
  const what = group.direction === "owners" ? (n === 1 ? "owner" : "owners") : (n === 1 ? "subsidiary" : "subsidiaries");
  const page = view.pages.get(`${group.direction}:${group.anchor}`);
  const more = page && page.shown < page.total ? ` · ${page.shown} of ${page.total} recorded, Next for more` : "";
  return `${n} ${what} of ${name}${more}${group.collapsed ? " (collapsed)" : ""}`;
}

function addGroup(cy, group, view) {
  const deciding = group.edges.some((e) => e.hasClass("deciding"));
  const path = group.edges.some((e) => e.hasClass("path"));
  cy.add({ group: "nodes", classes: "group" + (group.collapsed ? " collapsed-group" : ""),
           data: { id: group.id, label: groupLabel(cy, group, view), w: group.w, h: group.h, tw: group.w - 20,
                   anchor: group.anchor, direction: group.direction, count: group.members.length } });
  const [source, target] = group.direction === "owners" ? [group.id, group.anchor] : [group.anchor, group.id];
  cy.add({ group: "edges", classes: "group" + (deciding ? " path deciding" : path ? " path" : ""),
           data: { id: `${group.id}:edge`, source, target, label: `${group.members.length} ${group.direction}`, box: group.id } });
  for (const member of group.members) {
    const mine = group.edges.filter((e) => e.source().id() === member.id() || e.target().id() === member.id());
    const shares = [...new Set(mine.map((e) => e.data("label")))].join(", ");
    member.data("glabel", `${shares} · ${member.data("label")}`);
    member.data("box", group.id);
    member.addClass("member");
    if (mine.some((e) => e.hasClass("deciding"))) member.addClass("member-deciding");
    else if (mine.some((e) => e.hasClass("path"))) member.addClass("member-path");
    if (group.collapsed) member.addClass("collapsed");
  }
  for (const edge of group.edges) edge.addClass("grouped");
}

// The members of a box in rows, in the order the API gave them (largest share first), left to right.
function placeMembers(cy, group) {
  const box = cy.getElementById(group.id);
  const at = box.position();
  if (group.collapsed) {
    for (const member of group.members) member.position({ x: at.x, y: at.y });
    return;
  }
  const left = at.x - group.w / 2 + GRAPH.BOX_PAD;
  const top = at.y - group.h / 2 + GRAPH.BOX_HEAD;
  group.members.forEach((member, i) => {
    member.position({ x: left + 11 + (i % group.cols) * GRAPH.CELL_W,
                      y: top + GRAPH.CELL_H / 2 + Math.floor(i / group.cols) * GRAPH.CELL_H });
  });
}

// The graph's styles beyond the basic ones in app.js.
// Boxes of siblings lie under the edges (an edge may cross one), the edges under the parties and their labels.
const GRAPH_STYLES = [
  { selector: "node", style: { "min-zoomed-font-size": GRAPH.HIDDEN_LABEL_PX, "z-index-compare": "manual", "z-index": 10 } },
  { selector: "edge", style: { "min-zoomed-font-size": GRAPH.HIDDEN_LABEL_PX, "z-index-compare": "manual", "z-index": 5 } },
  { selector: "node.member", style: { label: "data(glabel)", "text-wrap": "ellipsis", "text-max-width": GRAPH.MEMBER_LABEL_W,
    width: 22, height: 22, "text-background-color": "#f1f5f7", "text-background-opacity": 1, "text-background-padding": 2 } },
  { selector: "node.member-path", style: { "border-width": 3, "border-color": "#455a64" } },
  { selector: "node.member-deciding", style: { "border-width": 4, "border-color": "#b71c1c" } },
  { selector: "node.group", style: { shape: "round-rectangle", width: "data(w)", height: "data(h)", "background-color": "#f1f5f7",
    "border-width": 1, "border-style": "dashed", "border-color": "#78909c", label: "data(label)", "text-valign": "top",
    "text-halign": "center", "text-margin-y": 24, "text-wrap": "ellipsis", "text-max-width": "data(tw)", "font-size": 12,
    "font-weight": 600, color: "#37474f", "z-index": 1, "min-zoomed-font-size": GRAPH.HIDDEN_LABEL_PX } },
  { selector: "node.collapsed-group", style: { "background-color": "#e3eaee", "border-style": "solid", "text-margin-y": 30 } },
  { selector: "node.group:selected", style: { "border-width": 3, "border-style": "solid", "border-color": "#1565c0" } },
  { selector: "edge.group", style: { "line-style": "solid", width: 4 } },
  { selector: ".beyond, .collapsed, .grouped", style: { display: "none" } },
  { selector: "node.faded", style: { opacity: 0.22 } },
  { selector: "edge.faded", style: { opacity: 0.15 } },
  { selector: "node.match", style: { "border-width": 4, "border-color": "#f9a825", "font-weight": 700 } },
];

// ---- fit and zoom ---------------------------------------------------------------------------------------

// Fit what is drawn, but never below the zoom where labels stay legible: a larger graph is then shown at
// that zoom around `focus` (the party opened, or the one just expanded) and the rest is reached by panning.
function fitReadable(cy, focus) {
  const shown = cy.elements(":visible");
  if (shown.empty()) return;
  cy.fit(shown, 30);
  if (cy.zoom() > GRAPH.MAX_FIT_ZOOM) {
    cy.zoom(GRAPH.MAX_FIT_ZOOM);
    cy.center(shown);
  } else if (cy.zoom() < GRAPH.READABLE_ZOOM) {
    cy.zoom(GRAPH.READABLE_ZOOM);
    const target = focus && cy.getElementById(focus);
    cy.center(target && target.nonempty() && target.visible() ? target : shown);
  }
}

function fitWhole(cy) {
  const shown = cy.elements(":visible");
  if (shown.nonempty()) cy.fit(shown, 20);
}

// Bring one party into view at a legible zoom.
function focusNode(cy, node) {
  if (cy.zoom() < GRAPH.READABLE_ZOOM) cy.zoom(Math.max(GRAPH.READABLE_ZOOM, 1));
  cy.center(node);
}

// ---- search and filter within the graph -----------------------------------------------------------------

function folded(text) {
  return String(text || "").normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

// Parties whose name or id contains `text` and whose status is `status` (all when empty) are highlighted;
// the rest are faded. Returns the matching parties, top to bottom and left to right.
function filterGraph(cy, text, status) {
  const words = folded(text).trim();
  const wanted = (n) => {
    const s = n.data("status");
    const statusOk = !status || s === status || (status === "restricted" && s === "seed");
    return statusOk && (!words || folded(n.data("label")).includes(words) || folded(n.id()).includes(words));
  };
  let matches = [];
  cy.batch(() => {
    cy.elements().removeClass("faded match");
    if (!words && !status) return;
    const parties = partiesOf(cy);
    matches = parties.filter(wanted);
    parties.not(matches).addClass("faded");
    cy.edges().filter((e) => !matches.has(e.source()) && !matches.has(e.target())).addClass("faded");
    cy.nodes(".group").forEach((box) => {
      if (!matches.some((m) => m.data("box") === box.id())) box.addClass("faded");
    });
    if (words) matches.addClass("match");
  });
  return matches.sort((a, b) => a.position("y") - b.position("y") || a.position("x") - b.position("x"));
}

// ---- the PNG export -------------------------------------------------------------------------------------

const LEGEND = [
  ["restricted", "#c62828"], ["restricted seed", "#7f0000"], ["indeterminate", "#ef8f00"], ["clear", "#2e7d32"],
  ["not evaluated", "#90a4ae"],
];

function fitText(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(cut + "…").width > width) cut = cut.slice(0, -1);
  return cut + "…";
}

// The graph as drawn (hidden parts left out), under a band with the party, its verdict, the policy and its
// hash, the date and a legend; at most EXPORT_MAX_W px wide however large the graph. The PNG also carries
// the title and the verdict as text (iTXt chunks), for whoever files it.
async function exportPicture(cy, verdict, party) {
  const margin = 24;
  const selected = cy.$(":selected");
  selected.unselect();  // the picture shows the graph, not what was clicked last
  let graph;
  try {
    graph = await createImageBitmap(cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff",
      maxWidth: GRAPH.EXPORT_MAX_W - 2 * margin, maxHeight: GRAPH.EXPORT_MAX_GRAPH_H }));
  } finally {
    selected.select();
  }
  // cy.png's bounds are the elements' own; the picture is scaled down to fit if it came out larger
  const fit = Math.min(1, (GRAPH.EXPORT_MAX_W - 2 * margin) / graph.width, GRAPH.EXPORT_MAX_GRAPH_H / graph.height);
  const graphWidth = Math.round(graph.width * fit);
  const graphHeight = Math.round(graph.height * fit);
  const width = Math.min(GRAPH.EXPORT_MAX_W, Math.max(1000, graphWidth + 2 * margin));
  const band = 176;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = band + graphHeight + margin + 30;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const font = (size, weight = 400) => `${weight} ${size}px system-ui, "DejaVu Sans", sans-serif`;
  const title = party.name || party.id;
  ctx.fillStyle = "#1b1b1b";
  ctx.textBaseline = "alphabetic";
  ctx.font = font(28, 700);
  ctx.fillText(fitText(ctx, title, width - 2 * margin - 200), margin, 44);
  // the verdict as the page's badge: its colour, upper case
  const badge = verdict.verdict.toUpperCase();
  ctx.font = font(16, 700);
  const badgeWidth = ctx.measureText(badge).width + 28;
  ctx.fillStyle = COLOURS[verdict.verdict] || COLOURS.unknown;
  ctx.beginPath();
  ctx.roundRect(width - margin - badgeWidth, 18, badgeWidth, 32, 16);
  ctx.fill();
  ctx.fillStyle = "#ffffff";
  ctx.fillText(badge, width - margin - badgeWidth + 14, 40);
  const threshold = `${verdict.threshold.inclusive ? "≥" : ">"} ${verdict.threshold.value}%`;
  const lines = [
    `${party.id} · ${verdict.verdict} under ${verdict.policy} (${verdict.method}, threshold ${threshold}) as of ${verdict.as_of}`,
    `Restricted share ${shareText(verdict.restricted_share)}${verdict.reason ? `, by ${verdict.reason}` : ""} · policy hash ${verdict.policy_hash}`,
    (verdict.explanation || [])[0] || "",
  ];
  ctx.fillStyle = "#37474f";
  ctx.font = font(15);
  lines.forEach((line, i) => ctx.fillText(fitText(ctx, line, width - 2 * margin), margin, 74 + i * 22));
  // the legend
  let x = margin;
  const y = 150;
  ctx.font = font(14);
  for (const [label, colour] of LEGEND) {
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(x + 7, y - 5, 7, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = "#37474f";
    ctx.fillText(label, x + 20, y);
    x += 34 + ctx.measureText(label).width;
  }
  for (const [label, colour, thickness] of [["deciding interest", "#b71c1c", 5], ["on a control path", "#455a64", 3]]) {
    ctx.fillStyle = colour;
    ctx.fillRect(x, y - 5 - thickness / 2, 26, thickness);
    ctx.fillStyle = "#37474f";
    ctx.fillText(label, x + 34, y);
    x += 48 + ctx.measureText(label).width;
  }
  ctx.fillStyle = "#d7dde1";
  ctx.fillRect(0, band - 8, width, 1);
  ctx.drawImage(graph, Math.round((width - graphWidth) / 2), band, graphWidth, graphHeight);
  ctx.fillStyle = "#5f6b73";
  ctx.font = font(12);
  const drawn = partiesOf(cy).filter(":visible").length;
  ctx.fillText(`ownergraph · ${drawn} parties drawn · exported ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
               margin, canvas.height - 14);
  const png = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  return withText(png, {
    Title: title,
    Description: `${verdict.verdict} under ${verdict.policy} (policy hash ${verdict.policy_hash}) as of ${verdict.as_of}: ` +
                 `restricted share ${shareText(verdict.restricted_share)}`,
    Software: "ownergraph",
  });
}

// PNG iTXt chunks (UTF-8 text) inserted after the header chunk.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function withText(png, texts) {
  const bytes = new Uint8Array(await png.arrayBuffer());
  const encoder = new TextEncoder();
  const chunks = Object.entries(texts).map(([keyword, text]) => {
    const data = new Uint8Array([...encoder.encode(keyword), 0, 0, 0, 0, 0, ...encoder.encode(text)]);
    const chunk = new Uint8Array(12 + data.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, data.length);
    chunk.set(encoder.encode("iTXt"), 4);
    chunk.set(data, 8);
    view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
    return chunk;
  });
  const headerEnd = 8 + 25;  // the signature, then IHDR (length, type, 13 bytes, CRC)
  return new Blob([bytes.subarray(0, headerEnd), ...chunks, bytes.subarray(headerEnd)], { type: "image/png" });
}
