/**
 * The console page: one HTML document with its style and script inline, kept in a module so
 * the compiled binary carries it (no files beside it, no CDN). It renders every view in the
 * browser from the JSON API under /api/v1/ and refreshes every few seconds. Views are chosen by
 * the hash: #/cluster, #/brokers/<id>, #/topics, #/topics/<name>, #/groups, #/groups/<id>,
 * #/records.
 * Charts are drawn as SVG by the script itself (a few polylines need no library).
 * @module
 */

const STYLE = `
:root { --fg:#1d2733; --muted:#5b6b7c; --line:#dde3ea; --accent:#2463eb; --bad:#c62828; --ok:#2e7d32; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, sans-serif; color:var(--fg); background:#f6f8fa; }
header { display:flex; align-items:center; gap:18px; padding:10px 20px; background:#14202e; color:#fff; }
header h1 { font-size:16px; margin:0; }
header nav a { color:#cfe0ff; margin-right:14px; text-decoration:none; }
header nav a.active { color:#fff; font-weight:600; border-bottom:2px solid #fff; }
#open-banner { margin-left:auto; background:#b26a00; padding:2px 10px; border-radius:4px; font-size:12px; }
main { padding:16px 20px; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin-bottom:16px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 14px; min-width:150px; }
.card .k { color:var(--muted); font-size:12px; } .card .v { font-size:18px; font-weight:600; }
table { border-collapse:collapse; width:100%; background:#fff; border:1px solid var(--line); margin-bottom:16px; }
th, td { text-align:left; padding:5px 9px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef2f6; font-weight:600; font-size:12px; color:var(--muted); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(330px,1fr)); gap:12px; margin-bottom:16px; }
.chart { background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px 10px; }
.chart h3 { margin:0 0 4px; font-size:13px; } .chart .last { float:right; color:var(--muted); font-size:12px; }
.chart svg { width:100%; height:110px; display:block; }
.bar { display:flex; gap:8px; align-items:center; margin-bottom:10px; flex-wrap:wrap; }
input, select, button { font:inherit; padding:4px 8px; }
.ok { color:var(--ok); } .bad { color:var(--bad); } .muted { color:var(--muted); }
pre { margin:0; white-space:pre-wrap; word-break:break-all; max-width:60vw; font-size:12px; }
h2 { font-size:16px; margin:8px 0 10px; } a { color:var(--accent); }
#error { color:var(--bad); margin-bottom:8px; }
`;

const SCRIPT = `
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
const fmt = (n) => n === null || n === undefined || Number.isNaN(n) ? "-" : Number(n).toLocaleString("en-US", { maximumFractionDigits: 2 });
const bytes = (n) => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB" : n < 1073741824 ? (n / 1048576).toFixed(1) + " MiB" : (n / 1073741824).toFixed(2) + " GiB";
const api = async (path) => {
  const r = await fetch("/api/v1/" + path, { headers: { accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
};
const table = (id, cols, rows) =>
  '<table id="' + id + '"><thead><tr>' + cols.map((c) => '<th class="' + (c.num ? "num" : "") + '">' + esc(c.label) + "</th>").join("") +
  "</tr></thead><tbody>" + (rows.length ? rows.join("") : '<tr><td colspan="' + cols.length + '" class="muted">none</td></tr>') + "</tbody></table>";
const row = (attrs, cells) => "<tr " + attrs + ">" + cells.map((c) => typeof c === "object" && c !== null ? '<td class="num">' + c.num + "</td>" : "<td>" + c + "</td>").join("") + "</tr>";
const pager = (page, limit, go) => {
  const from = page.total === 0 ? 0 : page.offset + 1, to = Math.min(page.offset + limit, page.total);
  window.__pager = go;
  return '<div class="bar"><span class="muted">' + from + "-" + to + " of " + page.total + "</span>" +
    (page.offset > 0 ? '<button onclick="__pager(' + Math.max(0, page.offset - limit) + ')">previous</button>' : "") +
    (to < page.total ? '<button onclick="__pager(' + to + ')">next</button>' : "") + "</div>";
};

function chart(title, series, unit) {
  const pts = series.flatMap((s) => s.points.filter((p) => p[1] !== null));
  const t0 = Math.min(...pts.map((p) => p[0])), t1 = Math.max(...pts.map((p) => p[0]));
  const vmax = Math.max(1e-9, ...pts.map((p) => p[1]));
  const W = 320, H = 100;
  const x = (t) => t1 === t0 ? W : ((t - t0) / (t1 - t0)) * W;
  const y = (v) => H - (v / vmax) * (H - 8) - 2;
  const colors = ["#2463eb", "#c62828", "#2e7d32"];
  const lines = series.map((s, i) => {
    const p = s.points.filter((q) => q[1] !== null);
    return '<polyline fill="none" stroke="' + colors[i] + '" stroke-width="1.5" points="' + p.map((q) => x(q[0]).toFixed(1) + "," + y(q[1]).toFixed(1)).join(" ") + '"/>';
  }).join("");
  const last = series.map((s) => { const p = s.points.filter((q) => q[1] !== null).at(-1); return s.name + " " + (p ? fmt(p[1]) : "-"); }).join(", ");
  return '<div class="chart" data-chart="' + esc(title) + '" data-points="' + pts.length + '"><h3>' + esc(title) + ' <span class="last">' + esc(last) + " " + esc(unit) +
    '</span></h3><svg viewBox="0 0 ' + W + " " + H + '" preserveAspectRatio="none">' +
    '<line x1="0" y1="' + (H - 1) + '" x2="' + W + '" y2="' + (H - 1) + '" stroke="#dde3ea"/>' + lines +
    '<text x="2" y="10" font-size="9" fill="#5b6b7c">' + fmt(vmax) + "</text></svg></div>";
}

async function viewCluster() {
  const [c, brokers, s] = await Promise.all([api("cluster"), api("brokers"), api("series")]);
  $("#open-banner").hidden = !c.open;
  const card = (k, v, id) => '<div class="card" id="' + id + '"><div class="k">' + esc(k) + '</div><div class="v">' + v + "</div></div>";
  const healthy = c.objectStore.state === "healthy";
  const pick = (k) => s.points.map((p) => [p.t, p[k]]);
  return '<h2>Cluster</h2><div class="cards">' +
    card("cluster id", esc(c.clusterId), "card-cluster-id") + card("brokers", fmt(c.brokers), "card-brokers") +
    card("controller", "broker " + c.controller, "card-controller") + card("topics / partitions", fmt(c.topics) + " / " + fmt(c.partitions), "card-topics") +
    card("object store", '<span class="' + (healthy ? "ok" : "bad") + '">' + esc(c.objectStore.state) + "</span> " + fmt(c.objectStore.latencyMs) + " ms", "card-object-store") +
    card("metadata store", '<span class="' + (c.metadataStore.ok ? "ok" : "bad") + '">' + (c.metadataStore.ok ? "answering" : "not answering") + "</span>", "card-metadata-store") +
    card("snapshot age", c.snapshotAgeSeconds === null ? "none" : fmt(c.snapshotAgeSeconds) + " s", "card-snapshot") +
    card("version", esc(c.version), "card-version") + "</div>" +
    "<h2>Brokers</h2>" + table("brokers-table", [{ label: "id" }, { label: "address" }, { label: "listeners" }, { label: "version" }, { label: "uptime (s)", num: 1 }, { label: "partitions owned", num: 1 }, { label: "groups coordinated", num: 1 }],
      brokers.map((b) => row('data-broker-id="' + b.nodeId + '"', ['<a href="#/brokers/' + b.nodeId + '">' + b.nodeId + "</a>" + (b.controller ? " (controller)" : "") + (b.self ? " (this)" : ""), esc(b.host + ":" + b.port),
        esc(Object.entries(b.listeners).map(([n, e]) => n + "://" + e.host + ":" + e.port).join(", ")), esc(b.version ?? "-"), { num: fmt(b.uptimeSeconds) }, { num: fmt(b.partitions) }, { num: fmt(b.groups) }]))) +
    '<h2>Signals <span class="muted" style="font-size:12px">(every ' + s.intervalMs / 1000 + " s, brokers " + s.brokers.join(", ") + (s.missing.length ? "; not answering: " + s.missing.join(", ") : "") + ')</span></h2><div class="charts">' +
    chart("Produce rate", [{ name: "records/s", points: pick("produceRps") }], "") +
    chart("Produce latency", [{ name: "p95", points: pick("produceP95Ms") }, { name: "p99", points: pick("produceP99Ms") }], "ms") +
    chart("Consumer lag max", [{ name: "records", points: pick("lagMax") }], "") +
    chart("Object store latency", [{ name: "avg", points: pick("objectStoreLatencyMs") }], "ms") +
    chart("Admin requests", [{ name: "requests/s", points: pick("adminRps") }, { name: "errors/s", points: pick("adminErrorRps") }], "") +
    chart("Client traffic", [{ name: "in", points: pick("bytesInPerSec") }, { name: "out", points: pick("bytesOutPerSec") }], "B/s") +
    chart("Open transactions", [{ name: "open", points: pick("transactionsOpen") }], "") + "</div>";
}

const state = { q: "", offset: 0, rates: new Map() };

async function viewBroker(id) {
  const limit = 100;
  const o = await api("brokers/" + encodeURIComponent(id) + "?q=" + encodeURIComponent(state.q) + "&offset=" + state.offset + "&limit=" + limit);
  const link = (p) => { const cut = p.lastIndexOf("-"); return '<a href="#/topics/' + encodeURIComponent(p.slice(0, cut)) + '">' + esc(p) + "</a>"; };
  return "<h2>Broker " + esc(o.nodeId) + '</h2><div class="bar"><input id="search" placeholder="search partitions and groups" value="' + esc(state.q) + '"></div>' +
    "<h2>Partitions it owns (" + fmt(o.partitions.total) + ")</h2>" + table("owned-partitions-table", [{ label: "partition" }], o.partitions.items.map((p) => row('data-partition="' + esc(p) + '"', [link(p)]))) +
    "<h2>Groups it coordinates (" + fmt(o.groups.total) + ")</h2>" + table("owned-groups-table", [{ label: "group" }], o.groups.items.map((g) => row('data-group="' + esc(g) + '"', ['<a href="#/groups/' + encodeURIComponent(g) + '">' + esc(g) + "</a>"]))) +
    pager({ total: Math.max(o.partitions.total, o.groups.total), offset: state.offset }, limit, (x) => { state.offset = x; render(); });
}

async function viewTopics() {
  const limit = 50;
  const page = await api("topics?q=" + encodeURIComponent(state.q) + "&offset=" + state.offset + "&limit=" + limit);
  const now = Date.now();
  const rate = (t) => { const prev = state.rates.get(t.name); state.rates.set(t.name, [now, t.endOffsets]); return prev && now > prev[0] ? ((t.endOffsets - prev[1]) * 1000) / (now - prev[0]) : null; };
  return '<h2>Topics</h2><div class="bar"><input id="search" placeholder="search topics" value="' + esc(state.q) + '"></div>' +
    table("topics-table", [{ label: "topic" }, { label: "partitions", num: 1 }, { label: "records", num: 1 }, { label: "end offsets (sum)", num: 1 }, { label: "records/s", num: 1 }, { label: "retention.ms", num: 1 }, { label: "segment.bytes", num: 1 }],
      page.items.map((t) => row('data-topic="' + esc(t.name) + '"', ['<a href="#/topics/' + encodeURIComponent(t.name) + '">' + esc(t.name) + "</a>", { num: fmt(t.partitions) }, { num: fmt(t.records) }, { num: fmt(t.endOffsets) }, { num: fmt(rate(t)) }, { num: fmt(t.retentionMs) }, { num: fmt(t.segmentBytes) }]))) +
    pager(page, limit, (o) => { state.offset = o; render(); });
}

async function viewTopic(name) {
  const limit = 100;
  const t = await api("topics/" + encodeURIComponent(name) + "?offset=" + state.offset + "&limit=" + limit);
  const p = t.partitionPage;
  return '<h2>Topic ' + esc(t.name) + '</h2><div class="cards"><div class="card"><div class="k">partitions</div><div class="v">' + fmt(t.partitions) +
    '</div></div><div class="card"><div class="k">records held</div><div class="v" id="topic-records">' + fmt(t.records) + "</div></div></div>" +
    table("partitions-table", [{ label: "partition" }, { label: "leader" }, { label: "leader epoch", num: 1 }, { label: "log start", num: 1 }, { label: "log end", num: 1 }, { label: "size", num: 1 }, { label: "segments", num: 1 }, { label: "" }],
      p.items.map((x) => row('data-partition="' + x.partition + '"', [String(x.partition), "broker " + x.leader, { num: fmt(x.leaderEpoch) }, { num: fmt(x.logStartOffset) }, { num: fmt(x.logEndOffset) }, { num: bytes(x.bytes) }, { num: fmt(x.segments) },
        '<a href="#/records?topic=' + encodeURIComponent(t.name) + "&partition=" + x.partition + '">records</a>']))) +
    pager(p, limit, (o) => { state.offset = o; render(); }) +
    "<h2>Settings</h2>" + table("configs-table", [{ label: "name" }, { label: "value" }, { label: "" }],
      t.configs.map((c) => row('data-config="' + esc(c.name) + '"', [esc(c.name), esc(c.value), c.readOnly ? '<span class="muted">read-only broker setting</span>' : c.isDefault ? '<span class="muted">default</span>' : "set on the topic"])));
}

async function viewGroups() {
  const limit = 50;
  const page = await api("groups?q=" + encodeURIComponent(state.q) + "&offset=" + state.offset + "&limit=" + limit);
  return '<h2>Consumer groups</h2><div class="bar"><input id="search" placeholder="search groups" value="' + esc(state.q) + '"></div>' +
    table("groups-table", [{ label: "group" }, { label: "state" }, { label: "protocol" }, { label: "members", num: 1 }, { label: "coordinator" }, { label: "total lag", num: 1 }, { label: "max lag", num: 1 }],
      page.items.map((g) => row('data-group="' + esc(g.groupId) + '"', ['<a href="#/groups/' + encodeURIComponent(g.groupId) + '">' + esc(g.groupId) + "</a>", esc(g.state), esc((g.protocolType ?? "") + (g.protocol ? " / " + g.protocol : "")), { num: fmt(g.members) }, "broker " + g.coordinator, { num: fmt(g.totalLag) }, { num: fmt(g.maxLag) }]))) +
    pager(page, limit, (o) => { state.offset = o; render(); });
}

async function viewGroup(id) {
  const g = await api("groups/" + encodeURIComponent(id));
  return "<h2>Group " + esc(g.groupId) + '</h2><div class="cards"><div class="card"><div class="k">state</div><div class="v" id="group-state">' + esc(g.state) +
    '</div></div><div class="card"><div class="k">total lag</div><div class="v" id="group-total-lag">' + fmt(g.totalLag) + '</div></div><div class="card"><div class="k">max lag</div><div class="v" id="group-max-lag">' + fmt(g.maxLag) +
    '</div></div><div class="card"><div class="k">coordinator</div><div class="v">broker ' + g.coordinator + '</div></div><div class="card"><div class="k">generation</div><div class="v">' + fmt(g.generation) + "</div></div></div>" +
    "<h2>Members</h2>" + table("members-table", [{ label: "member" }, { label: "client id" }, { label: "host" }, { label: "assignment" }],
      g.members.map((m) => row('data-member="' + esc(m.memberId) + '"', [esc(m.memberId), esc(m.clientId), esc(m.clientHost), esc(m.assignment.map((a) => a.topic + ": " + a.partitions.join(",")).join("; "))]))) +
    "<h2>Committed offsets</h2>" + table("offsets-table", [{ label: "topic" }, { label: "partition", num: 1 }, { label: "committed", num: 1 }, { label: "log end", num: 1 }, { label: "lag", num: 1 }],
      g.offsets.map((o) => row('data-offset="' + esc(o.topic) + "/" + o.partition + '"', [esc(o.topic), { num: o.partition }, { num: fmt(o.committed) }, { num: fmt(o.logEndOffset) }, { num: fmt(o.lag) }])));
}

function decodeB64(s) { return s === null ? null : Uint8Array.from(atob(s), (c) => c.charCodeAt(0)); }
function show(s, how) {
  const b = decodeB64(s);
  if (b === null) return '<span class="muted">null</span>';
  if (how === "hex") return "<pre>" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ") + "</pre>";
  const text = new TextDecoder().decode(b);
  if (how === "json") { try { return "<pre>" + esc(JSON.stringify(JSON.parse(text), null, 2)) + "</pre>"; } catch { /* not JSON: as text */ } }
  return "<pre>" + esc(text) + "</pre>";
}

async function viewRecords(params) {
  const topic = params.get("topic") ?? "", partition = params.get("partition") ?? "0";
  const mode = params.get("from") ?? "last", at = params.get("at") ?? "20", how = params.get("as") ?? "text";
  const form = '<h2>Records</h2><form class="bar" id="records-form"><input name="topic" placeholder="topic" value="' + esc(topic) + '"><input name="partition" size="4" value="' + esc(partition) +
    '"><select name="from">' + ["last", "offset", "timestamp"].map((m) => "<option" + (m === mode ? " selected" : "") + ">" + m + "</option>").join("") +
    '</select><input name="at" size="16" value="' + esc(at) + '" title="N records, an offset, or a timestamp (ms or ISO date)"><select name="as">' +
    ["text", "json", "hex"].map((m) => "<option" + (m === how ? " selected" : "") + ">" + m + "</option>").join("") + "</select><button>show</button></form>";
  if (!topic) return form;
  let q = mode === "last" ? "last=" + encodeURIComponent(at) : mode === "offset" ? "offset=" + encodeURIComponent(at) : "timestamp=" + (/^\\d+$/.test(at) ? at : Date.parse(at));
  const r = await api("topics/" + encodeURIComponent(topic) + "/partitions/" + encodeURIComponent(partition) + "/records?" + q + "&limit=100");
  return form + '<p class="muted">offsets ' + r.logStartOffset + " to " + r.highWatermark + " (exclusive); showing " + r.records.length + "</p>" +
    table("records-table", [{ label: "offset", num: 1 }, { label: "timestamp" }, { label: "key" }, { label: "value" }, { label: "headers" }],
      r.records.map((x) => row('data-offset="' + x.offset + '"', [{ num: x.offset }, esc(new Date(x.timestamp).toISOString()), show(x.key, how), show(x.value, how),
        esc(x.headers.map((h) => h.key + "=" + (h.value === null ? "null" : new TextDecoder().decode(decodeB64(h.value)))).join(", "))]))) +
    (r.unreadableBatches.length ? '<p class="muted">' + r.unreadableBatches.length + " batches whose records do not decompress, not shown (" + esc(r.unreadableBatches.map((b) => b.baseOffset + "-" + b.lastOffset + " " + b.compression).join(", ")) + ")</p>" : "");
}

let current = "";
async function render() {
  const hash = location.hash || "#/cluster";
  const [path, query] = hash.slice(1).split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const key = parts[0] ?? "cluster";
  if (current !== hash) { state.offset = 0; if (current.split("/")[1] !== hash.split("/")[1]) state.q = ""; current = hash; }
  document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === key));
  try {
    const html = key === "topics" && parts[1] ? await viewTopic(parts[1]) : key === "topics" ? await viewTopics()
      : key === "groups" && parts[1] ? await viewGroup(parts[1]) : key === "groups" ? await viewGroups()
      : key === "records" ? await viewRecords(new URLSearchParams(query ?? ""))
      : key === "brokers" && parts[1] ? await viewBroker(parts[1]) : await viewCluster();
    const focused = document.activeElement?.id;
    $("#view").innerHTML = html;
    $("#error").textContent = "";
    const search = $("#search");
    if (search) {
      search.oninput = () => { state.q = search.value; state.offset = 0; render(); };
      if (focused === "search") { search.focus(); search.setSelectionRange(search.value.length, search.value.length); }
    }
    const form = $("#records-form");
    if (form) form.onsubmit = (e) => { e.preventDefault(); location.hash = "#/records?" + new URLSearchParams(new FormData(form)).toString(); };
    document.body.dataset.rendered = hash;
  } catch (e) {
    $("#error").textContent = "Cannot load this view: " + e.message;
  }
}
window.addEventListener("hashchange", render);
render();
setInterval(() => { if (!location.hash.startsWith("#/records")) render(); }, 5000);
`;

/** The console document served at /ui/. */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>KafScale console</title><style>${STYLE}</style></head>
<body><header><h1>KafScale</h1><nav>
<a href="#/cluster" data-view="cluster">Cluster</a><a href="#/topics" data-view="topics">Topics</a>
<a href="#/groups" data-view="groups">Consumer groups</a><a href="#/records" data-view="records">Records</a></nav>
<span id="open-banner" hidden>open: no login (the broker has no authentication)</span></header>
<main><div id="error"></div><div id="view">loading...</div></main>
<script>${SCRIPT}</script></body></html>
`;
