// rnncast panel report: every chart is SVG drawn here from the JSON in <script id="data">; no network.
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const SVG = "http://www.w3.org/2000/svg";
const COLORS = {model: "#1f5fbf", naive: "#777", seasonal_naive: "#c77d00", band: "rgba(31,95,191,0.15)"};

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function fmt(v) {
  if (v === null || v === undefined || !isFinite(v)) return "n/a";
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e6) return String(v);
  return a >= 1e5 || (a > 0 && a < 1e-3) ? v.toExponential(2) : v.toFixed(a >= 100 ? 0 : a >= 10 ? 2 : 3);
}

function ticks(lo, hi, n) {
  const span = hi - lo || 1, step0 = span / n, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= step0);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push(t);
  return out;
}

// lines: [{x: [...], y: [...], color, width, dash, label}]; bands: [{x, lo, hi}]; marks: [{x, label}]
function chart(holder, spec) {
  holder.textContent = "";
  const W = spec.width || 860, H = spec.height || 300, m = {l: 64, r: 16, t: 14, b: 38};
  const svg = el("svg", {viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-label": spec.title || ""}, holder);
  const xs = [], ys = [];
  for (const s of spec.lines) s.x.forEach((x, i) => { if (s.y[i] !== null && isFinite(s.y[i])) { xs.push(x); ys.push(s.y[i]); } });
  for (const b of spec.bands || []) b.x.forEach((x, i) => { xs.push(x); ys.push(b.lo[i], b.hi[i]); });
  if (!xs.length) { el("text", {x: W / 2, y: H / 2, "text-anchor": "middle"}, svg).textContent = "no data"; return svg; }
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (spec.yZero) y0 = Math.min(0, y0);
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const X = x => m.l + (x - x0) / (x1 - x0) * (W - m.l - m.r), Y = y => H - m.b - (y - y0) / (y1 - y0) * (H - m.t - m.b);
  for (const t of ticks(y0, y1, 5)) {
    el("line", {x1: m.l, x2: W - m.r, y1: Y(t), y2: Y(t), stroke: "#e4e4e4"}, svg);
    el("text", {x: m.l - 6, y: Y(t) + 4, "text-anchor": "end", class: "tick"}, svg).textContent = fmt(t);
  }
  for (const t of ticks(x0, x1, 8).filter(t => Number.isInteger(t))) {  // every x axis here counts steps
    el("text", {x: X(t), y: H - m.b + 16, "text-anchor": "middle", class: "tick"}, svg).textContent = spec.xTick ? spec.xTick(t) : fmt(t);
  }
  el("text", {x: m.l, y: H - 4, class: "axis"}, svg).textContent = spec.xlabel || "";
  el("text", {x: 12, y: m.t + 4, class: "axis", transform: `rotate(-90 12 ${m.t + 4})`, "text-anchor": "end"}, svg).textContent = spec.ylabel || "";
  for (const b of spec.bands || []) {
    const top = b.x.map((x, i) => `${X(x)},${Y(b.hi[i])}`), bottom = b.x.map((x, i) => `${X(x)},${Y(b.lo[i])}`).reverse();
    el("polygon", {points: top.concat(bottom).join(" "), fill: b.color || COLORS.band, stroke: "none"}, svg);
  }
  for (const mk of spec.marks || []) {
    el("line", {x1: X(mk.x), x2: X(mk.x), y1: m.t, y2: H - m.b, stroke: "#bbb", "stroke-dasharray": "4 3"}, svg);
    const right = X(mk.x) > W - 80;
    el("text", {x: X(mk.x) + (right ? -4 : 4), y: m.t + 10, class: "tick", "text-anchor": right ? "end" : "start"}, svg).textContent = mk.label;
  }
  for (const s of spec.lines) {
    const pts = s.x.map((x, i) => (s.y[i] === null || !isFinite(s.y[i])) ? null : `${X(x).toFixed(1)},${Y(s.y[i]).toFixed(1)}`).filter(p => p);
    if (pts.length === 1) el("circle", {cx: pts[0].split(",")[0], cy: pts[0].split(",")[1], r: 2.5, fill: s.color}, svg);
    else el("polyline", {points: pts.join(" "), fill: "none", stroke: s.color, "stroke-width": s.width || 1.5,
                         "stroke-dasharray": s.dash || "", class: s.cls || ""}, svg);
  }
  const legend = [...new Map(spec.lines.filter(s => s.label).map(s => [s.label, s])).values()];
  legend.forEach((s, i) => {
    const x = m.l + 10 + 170 * (i % 4), y = m.t + 12 + 14 * Math.floor(i / 4);
    el("line", {x1: x, x2: x + 18, y1: y - 4, y2: y - 4, stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash || ""}, svg);
    el("text", {x: x + 22, y: y, class: "tick"}, svg).textContent = s.label;
  });
  return svg;
}

function seriesChart(s) {
  const x = s.y.map((_, i) => i), lines = [{x, y: s.y, color: "#222", width: 1.3, label: "actual"}], bands = [];
  const show = name => document.getElementById("show-" + name) ? document.getElementById("show-" + name).checked : name === DATA.model;
  for (const w of s.windows) {
    const xs = w.paths[DATA.model].map((_, h) => w.origin + h);
    if (w.lo) bands.push({x: xs, lo: w.lo, hi: w.hi});
    for (const name of Object.keys(w.paths)) {
      if (!show(name)) continue;
      lines.push({x: xs, y: w.paths[name], color: COLORS[name === DATA.model ? "model" : name] || "#999",
                  width: name === DATA.model ? 2 : 1.2, dash: name === DATA.model ? "" : "5 3",
                  label: name === DATA.model ? `${DATA.model} forecast` : name.replace("_", " "), cls: "path-" + name});
    }
  }
  const marks = s.train_end !== null && s.train_end !== undefined ? [{x: s.train_end - 0.5, label: DATA.mode === "forecast" ? "" : "test"}] : [];
  const bandLabel = DATA.band_label ? ` · band: ${DATA.band_label}` : "";
  document.getElementById("series-title").textContent = `${s.id}: ${s.y.length} steps (${s.start} … ${s.end})${bandLabel}`;
  chart(document.getElementById("series-chart"), {lines, bands, marks, xlabel: `step (${s.start} = 0)`, ylabel: DATA.target, title: "series " + s.id});
  const info = document.getElementById("series-metrics");
  info.textContent = s.metrics ? Object.entries(s.metrics).map(([k, v]) => `${k.replace("_", " ")}: MASE ${fmt(v.mase)}, sMAPE ${fmt(v.smape)}`).join(" · ") +
    (s.skill !== undefined ? ` · skill vs naive ${fmt(s.skill)}` : "") : "";
}

const BY_ID = new Map(DATA.series.map((s, i) => [s.id, i]));
const OTHERS = new Map(((DATA.others || {}).ids || []).map((id, i) => [id, i]));
function select(id) {
  if (!BY_ID.has(id)) {
    if (!OTHERS.has(id)) return false;
    const i = OTHERS.get(id);  // a series the page does not draw: its figures, in words
    document.getElementById("series-title").textContent = `${id}: not drawn on this page (it shows ${DATA.series.length} of ` +
      `${DATA.series.length + OTHERS.size} series): skill vs naive ${fmt(DATA.others.skill[i])}, MASE ${fmt(DATA.others.mase[i])}`;
    document.getElementById("series-chart").textContent = "";
    document.getElementById("series-metrics").textContent = "";
    return true;
  }
  const s = DATA.series[BY_ID.get(id)];
  document.getElementById("pick").value = id;
  seriesChart(s);
  for (const row of document.querySelectorAll("#table tbody tr")) row.classList.toggle("current", row.dataset.id === id);
  return true;
}

function ranked() {
  return DATA.series.filter(s => s.skill !== null && s.skill !== undefined && isFinite(s.skill)).sort((a, b) => b.skill - a.skill);
}

function setupPicker() {
  const list = document.getElementById("ids");
  for (const s of DATA.series) { const o = document.createElement("option"); o.value = s.id; list.appendChild(o); }
  const pick = document.getElementById("pick");
  pick.addEventListener("change", () => { if (!select(pick.value)) pick.classList.add("bad"); else pick.classList.remove("bad"); });
  const step = d => { const i = (BY_ID.get(pick.value) ?? 0) + d; select(DATA.series[(i + DATA.series.length) % DATA.series.length].id); };
  document.getElementById("prev").onclick = () => step(-1);
  document.getElementById("next").onclick = () => step(1);
  const r = ranked();
  document.getElementById("best").onclick = () => r.length && select(r[0].id);
  document.getElementById("worst").onclick = () => r.length && select(r[r.length - 1].id);
  for (const box of document.querySelectorAll("input[type=checkbox]")) box.onchange = () => select(pick.value);
  if (!r.length) for (const id of ["best", "worst"]) document.getElementById(id).disabled = true;
}

function horizonChart() {
  const holder = document.getElementById("horizon-chart");
  if (!holder || !DATA.by_horizon) return;
  const lines = Object.entries(DATA.by_horizon).map(([name, v]) => ({x: v.mase.map((_, i) => i + 1), y: v.mase,
    color: COLORS[name === DATA.model ? "model" : name] || "#aaa", width: name === DATA.model ? 2.2 : 1.3,
    dash: name === DATA.model ? "" : "5 3", label: name.replace("_", " ")}));
  chart(holder, {lines, xlabel: "steps ahead h", ylabel: "MAE / in-sample naive MAE", height: 260, yZero: true});
}

function skillChart() {
  const holder = document.getElementById("skill-chart");
  if (!holder) return;
  const values = ranked().map(s => Math.max(-1, Math.min(1, s.skill)));
  const bins = 20, counts = new Array(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v + 1) / 2 * bins))] += 1;
  holder.textContent = "";
  const W = 860, H = 220, m = {l: 64, r: 16, t: 12, b: 38}, top = Math.max(1, ...counts);
  const svg = el("svg", {viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-label": "skill distribution"}, holder);
  const bw = (W - m.l - m.r) / bins;
  counts.forEach((c, i) => {
    const h = c / top * (H - m.t - m.b), x = m.l + i * bw;
    el("rect", {x: x + 1, y: H - m.b - h, width: bw - 2, height: h, fill: i >= bins / 2 ? "#4a8f3c" : "#b5543c"}, svg);
    if (c) el("text", {x: x + bw / 2, y: H - m.b - h - 3, "text-anchor": "middle", class: "tick"}, svg).textContent = c;
  });
  for (const t of [-1, -0.5, 0, 0.5, 1]) el("text", {x: m.l + (t + 1) / 2 * (W - m.l - m.r), y: H - m.b + 16, "text-anchor": "middle", class: "tick"}, svg).textContent = t;
  el("text", {x: m.l, y: H - 4, class: "axis"}, svg).textContent = "skill vs naive = 1 − MAE(network) / MAE(naive), per series (clipped to [−1, 1]); right of 0: the network wins";
}

function table() {
  const holder = document.getElementById("table");
  if (!holder) return;
  const cols = DATA.table_columns, body = holder.querySelector("tbody");
  let key = "skill", desc = true;
  const draw = () => {
    const rows = DATA.series.slice().sort((a, b) => {
      const va = a.row[key], vb = b.row[key];
      if (typeof va === "string") return desc ? vb.localeCompare(va) : va.localeCompare(vb);
      const x = va === null ? -Infinity : va, y = vb === null ? -Infinity : vb;
      return desc ? y - x : x - y;
    });
    body.textContent = "";
    for (const s of rows) {
      const tr = document.createElement("tr");
      tr.dataset.id = s.id;
      for (const c of cols) { const td = document.createElement("td"); td.textContent = c.key === "id" ? s.id : fmt(s.row[c.key]); tr.appendChild(td); }
      tr.onclick = () => { select(s.id); window.scrollTo({top: 0}); };
      body.appendChild(tr);
    }
    for (const th of holder.querySelectorAll("th")) th.classList.toggle("sorted", th.dataset.key === key);
  };
  for (const th of holder.querySelectorAll("th")) th.onclick = () => { desc = th.dataset.key === key ? !desc : th.dataset.key !== "id"; key = th.dataset.key; draw(); };
  draw();
}

function curves() {
  for (const [id, c] of Object.entries(DATA.curves || {})) {
    const holder = document.getElementById(id);
    if (!holder || !c.y.length) continue;
    chart(holder, {lines: [{x: c.y.map((_, i) => i + 1), y: c.y, color: id === "train-curve" ? COLORS.model : "#c77d00", label: c.label}],
                   marks: c.best ? [{x: c.best, label: "kept weights"}] : [], xlabel: c.unit, ylabel: c.short, height: 220});
  }
}

setupPicker();
horizonChart();
skillChart();
table();
curves();
select(DATA.first || DATA.series[0].id);
document.body.dataset.ready = "1";
