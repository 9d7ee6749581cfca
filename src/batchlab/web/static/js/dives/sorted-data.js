// C4 sorted-data: one logistic run on class-sorted data, read in stored order vs reshuffled
// every epoch (GET /api/dives/sorted-data): loss per update, share of class 1 per batch,
// both paths on the loss surface, cosines between consecutive batch gradients, and the
// server's check that the engine's paths equal a plain NumPy replay of the same batches.
import { decodeTyped } from "../api.js";
import { CONFIG, el, layout } from "../measures.js";
import { fmt } from "../look.js";

const RUNS = {
  sorted: { name: "class-sorted, read in order", color: "#b42318", dash: "solid", symbol: "circle" },
  shuffled: { name: "shuffled every epoch", color: "#0f766e", dash: "dash", symbol: "diamond" },
};
const SIZES = { "synthetic-classification": 1000, "breast-cancer": 569 };
const LRS = [0.1, 0.3, 1, 3];

function plotlyReady() {
  return new Promise((ok, fail) => {
    if (window.Plotly) { ok(); return; }
    const s = document.getElementById("plotly-js");
    if (!s) { fail(new Error("plotly.js is not on this page")); return; }
    s.addEventListener("load", ok, { once: true });
    s.addEventListener("error", () => fail(new Error("plotly.js did not load")), { once: true });
  });
}

function select(id, label, options, value) {
  const wrap = el("label", { for: id }, label);
  const s = el("select", { id });
  for (const [v, text] of options) {
    const o = el("option", { value: String(v) }, text);
    if (String(v) === String(value)) o.selected = true;
    s.append(o);
  }
  wrap.append(s);
  return [wrap, s];
}

/** Epochs on the x axis: update t sits at t / (updates per epoch). */
const epochsOf = (count, upe, from = 0) => Array.from({ length: count }, (_, k) => (k + from) / upe);

async function drawLoss(chart, d) {
  const min = d.minimum.loss, upe = d.updates_per_epoch;
  const gap = (a) => Array.from(a, (v) => Math.max(v - min, 1e-12));
  const traces = [];
  for (const key of ["sorted", "shuffled"]) {
    const r = d[key], s = RUNS[key];
    traces.push({ x: epochsOf(r.loss.length, upe), y: gap(r.loss), mode: "lines", name: s.name,
      line: { color: s.color, dash: s.dash, width: key === "sorted" ? 2 : 2.2 }, hovertemplate: "epoch %{x:.2f}<br>J − J* = %{y:.3g}<extra></extra>" });
  }
  for (const key of ["sorted", "shuffled"]) {
    const r = d[key], s = RUNS[key];
    traces.push({ x: epochsOf(r.share.length, upe, 1), y: Array.from(r.share), mode: "lines", name: s.name, showlegend: false,
      xaxis: "x", yaxis: "y2", line: { color: s.color, dash: s.dash, width: 1.6, shape: "hv" }, hovertemplate: "epoch %{x:.2f}<br>class-1 share %{y:.2f}<extra></extra>" });
  }
  const lay = layout("epochs (one point per update)", "J − J*  (log)", {
    xaxis: { dtick: 1, range: [0, d.epochs], anchor: "y2" },
    yaxis: { type: "log", exponentformat: "power", domain: [0.36, 1] },
  });
  lay.yaxis2 = { domain: [0, 0.24], range: [-0.08, 1.08], tickvals: [0, 1], title: { text: "class-1 share", standoff: 4, font: { size: 11 } }, fixedrange: true };
  lay.height = 330;
  lay.margin = { ...lay.margin, t: chart.clientWidth < 520 ? 46 : 30 }; // room for a wrapped legend
  lay.legend = { ...lay.legend, y: 1.0, yanchor: "bottom" };
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

async function drawPaths(chart, d) {
  const g = d.grid, upe = d.updates_per_epoch;
  const traces = [{ type: "contour", x: Array.from(g.w), y: Array.from(g.b), z: g.loss, showscale: false, ncontours: 18,
    colorscale: [[0, "#eef2f7"], [1, "#ffffff"]], contours: { coloring: "fill", showlines: true },
    line: { color: "#b8c0cc", width: 1 }, hoverinfo: "skip", name: "J(w, b)" }];
  for (const key of ["sorted", "shuffled"]) {
    const r = d[key], s = RUNS[key];
    const ends = Array.from({ length: d.epochs + 1 }, (_, e) => Math.min(e * upe, r.w.length - 1));
    traces.push({ x: Array.from(r.w), y: Array.from(r.b), mode: "lines", name: s.name, showlegend: false,
      line: { color: s.color, dash: s.dash, width: key === "sorted" ? 1.6 : 2 }, hoverinfo: "skip" });
    traces.push({ x: ends.map((i) => r.w[i]), y: ends.map((i) => r.b[i]), mode: "markers", name: `${key}: end of each epoch`,
      marker: { color: s.color, symbol: s.symbol, size: 9, line: { color: "#fff", width: 1 } }, hovertemplate: "w %{x:.3f}, b %{y:.3f}<extra></extra>" });
  }
  traces.push({ x: [d.start[0]], y: [d.start[1]], mode: "markers+text", name: "start", text: ["start"], textposition: "bottom right",
    marker: { color: "#1b2330", symbol: "circle-open", size: 11, line: { width: 2 } }, showlegend: false, hoverinfo: "skip" });
  traces.push({ x: [d.minimum.w], y: [d.minimum.b], mode: "markers", name: "minimum of J", marker: { color: "#1b2330", symbol: "star", size: 13 } });
  const lay = layout("weight w", "bias b");
  lay.height = 350;
  lay.margin = { ...lay.margin, t: chart.clientWidth < 520 ? 76 : 40 };
  lay.legend = { ...lay.legend, y: 1.0, yanchor: "bottom" };
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

/** How many batches of the first epoch hold one class only, per run. */
function pureBatches(r, upe) {
  let pure = 0;
  for (let t = 0; t < upe && t < r.share.length; t++) if (r.share[t] === 0 || r.share[t] === 1) pure += 1;
  return pure;
}

export function mount(root, uid) {
  const title = root.getAttribute("aria-label") || "Measured: the same run on class-sorted data, with and without shuffling";
  root.replaceChildren();
  const inputs = el("div", { class: "widget-inputs" });
  const [ld, inD] = select(`${uid}-data`, "Data", [["synthetic-classification", "synthetic (N = 1,000)"], ["breast-cancer", "breast cancer (N = 569)"]], "synthetic-classification");
  const lb = el("label", { for: `${uid}-b` }, "Batch size B");
  const inB = el("input", { id: `${uid}-b`, type: "number", min: "1", max: "1000", step: "1", inputmode: "numeric", value: "25" });
  lb.append(inB);
  const [ll, inL] = select(`${uid}-lr`, "Learning rate η", LRS.map((v) => [v, String(v)]), 1);
  const [le, inE] = select(`${uid}-ep`, "Epochs", Array.from({ length: 10 }, (_, i) => [i + 1, String(i + 1)]), 5);
  const again = el("button", { type: "button", class: "btn sd-reshuffle" }, "New shuffle ↻");
  inputs.append(ld, lb, ll, le, again);
  const err = el("p", { class: "field-error", role: "alert", id: `${uid}-err` });
  inB.setAttribute("aria-describedby", err.id);
  const lossChart = el("div", { class: "measure-chart sd-chart", role: "img", "aria-label": "Loss gap J − J* after every update, and the share of class 1 in each batch, for both runs" });
  const pathChart = el("div", { class: "measure-chart sd-chart", role: "img", "aria-label": "The two paths of (w, b) on the contours of the loss" });
  const table = el("table", { class: "sd-table" });
  const head = el("tr");
  head.append(el("th", { scope: "col" }, "measured"), el("th", { scope: "col", class: "sd-sorted" }, "sorted, in order"),
    el("th", { scope: "col", class: "sd-shuffled" }, "shuffled"));
  const thead = el("thead"); thead.append(head);
  const tbody = el("tbody");
  const cells = {};
  for (const [key, label] of [["cos", "mean cosine between consecutive batch gradients"],
    ["pure", "batches per epoch holding one class only"], ["end", "J − J* after the last epoch"]]) {
    const tr = el("tr"); const a = el("td", { "data-out": `${key}-sorted` }), b = el("td", { "data-out": `${key}-shuffled` });
    tr.append(el("th", { scope: "row" }, label), a, b); tbody.append(tr); cells[key] = [a, b];
  }
  table.append(thead, tbody);
  const check = el("p", { class: "sd-check", "data-out": "check" });
  const note = el("p", { class: "widget-note", "aria-live": "polite" }, "Measuring…");
  root.append(el("p", { class: "widget-title" }, title), inputs, err, lossChart, pathChart, table, check, note);

  let seed = 0, ctrl = null, timer = 0, visible = false;

  const read = () => {
    const n = SIZES[inD.value], b = Number(inB.value);
    const ok = Number.isInteger(b) && b >= 1 && b <= n;
    inB.max = String(n);
    inB.setAttribute("aria-invalid", String(!ok));
    err.textContent = ok ? "" : `B must be a whole number from 1 to N = ${fmt(n)}.`;
    return ok ? { dataset: inD.value, b, lr: inL.value, epochs: inE.value } : null;
  };

  const go = async () => {
    const v = read();
    if (!v || !visible) return;
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const { signal } = ctrl;
    note.textContent = "Measuring…";
    try {
      const q = new URLSearchParams({ ...v, seed });
      const r = await fetch(`/api/dives/sorted-data?${q}`, { signal });
      if (!r.ok) {
        let msg = `the server answered ${r.status}`;
        try { msg = (await r.json()).detail[0].msg; } catch (_) { /* keep the status */ }
        throw new Error(msg);
      }
      const d = decodeTyped(await r.json());
      await plotlyReady();
      if (signal.aborted) return;
      await drawLoss(lossChart, d);
      await drawPaths(pathChart, d);
      const min = d.minimum.loss, so = d.sorted, sh = d.shuffled, upe = d.updates_per_epoch;
      const pure = pureBatches(so, upe), pureSh = pureBatches(sh, upe);
      const put = (key, a, b) => { cells[key][0].textContent = a; cells[key][1].textContent = b; };
      put("cos", fmt(so.mean_cosine, 3), fmt(sh.mean_cosine, 3));
      put("pure", `${pure} of ${upe}`, `${pureSh} of ${upe}`);
      put("end", fmt(so.loss.at(-1) - min, 3), fmt(sh.loss.at(-1) - min, 3));
      const ok = d.replay_gap < 1e-9;
      check.textContent = `${ok ? "✓" : "✗"} Check: a plain NumPy loop over the same batches reproduces both engine paths; ` +
        `largest difference ${fmt(d.replay_gap, 2)}.`;
      check.dataset.ok = String(ok);
      note.textContent = `${d.dataset}, N = ${fmt(d.n)}: ${fmt(d.class0)} examples of class 0 stored first, then ${fmt(d.class1)} of class 1; ` +
        `B = ${d.b}, η = ${d.lr}, ${d.epochs} epoch${d.epochs === 1 ? "" : "s"} of ${upe} updates, both from (w, b) = (0, 0). ` +
        `Read in order, ${pure} of the ${upe} batches of every epoch hold a single class (shuffled: ${pureSh}), so the pushes repeat: ` +
        `mean cosine ${fmt(so.mean_cosine, 3)} between consecutive batch gradients against ${fmt(sh.mean_cosine, 3)} when shuffled. ` +
        `The sorted run swings in b each epoch and ends each epoch where the last class pulled it: J − J* = ${fmt(so.loss.at(-1) - min, 3)} ` +
        `versus ${fmt(sh.loss.at(-1) - min, 3)} shuffled.`;
      root.dataset.drawn = "1";
    } catch (e) {
      if (e.name !== "AbortError") note.textContent = `Could not measure: ${e.message}.`;
    }
  };
  const changed = () => { clearTimeout(timer); if (read()) timer = setTimeout(go, 250); };
  inB.addEventListener("input", changed);
  for (const s of [inD, inL, inE]) s.addEventListener("change", changed);
  again.addEventListener("click", () => { seed = (seed + 1) % 1001; go(); });

  const start = () => { visible = true; go(); };
  if (!("IntersectionObserver" in window)) { start(); return; }
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { io.disconnect(); start(); }
  }, { rootMargin: "300px" });
  io.observe(root);
}
