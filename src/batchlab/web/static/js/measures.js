// Live measurements in the lesson: small charts drawn from /api/experiments/* when they
// scroll into view, each stating what was measured and how.
import { decodeTyped } from "./api.js";
import { FONT, LOOK, fmt } from "./look.js";

const P = () => window.Plotly;
export const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false };

export function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

export function layout(xTitle, yTitle, extra = {}) {
  return {
    margin: { l: 58, r: 12, t: 8, b: 44 }, height: 260, font: { ...FONT, size: 12 }, dragmode: false,
    xaxis: { title: { text: xTitle, standoff: 4 }, fixedrange: true, ...(extra.xaxis || {}) },
    yaxis: { title: { text: yTitle, standoff: 4 }, fixedrange: true, ...(extra.yaxis || {}) },
    legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0, font: { size: 11 } },
    plot_bgcolor: "#fff", paper_bgcolor: "#fff",
  };
}

/** Mount a measurement: title, chart, note; fetch and draw once visible. */
export function measured(root, title, url, draw) {
  root.replaceChildren();
  const chart = el("div", { class: "measure-chart", role: "img", "aria-label": title });
  const note = el("p", { class: "widget-note", "aria-live": "polite" }, "Measuring…");
  root.append(el("p", { class: "widget-title" }, title), chart, note);
  const go = async () => {
    try {
      const r = await fetch(url);
      if (!r.ok) throw new Error(`the server answered ${r.status}`);
      const d = decodeTyped(await r.json());
      await new Promise((ok) => (window.Plotly ? ok() : document.getElementById("plotly-js").addEventListener("load", ok, { once: true })));
      const text = await draw(chart, d);
      note.textContent = text;
      root.dataset.drawn = "1";
    } catch (err) {
      note.textContent = `Could not measure: ${err.message}.`;
    }
  };
  if (!("IntersectionObserver" in window)) { go(); return; }
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { io.disconnect(); go(); }
  }, { rootMargin: "300px" });
  io.observe(root);
}

function noiseVsBatch(root) {
  const ds = root.dataset.dataset || "synthetic";
  measured(root, "Measured: gradient noise against batch size", `/api/experiments/noise-vs-batch?dataset=${ds}`,
    async (chart, d) => {
      const tiny = 1e-12 * Math.max(...d.exact); // B = N: zero up to floating-point rounding
      const pos = (a) => Array.from(a, (v) => (v > tiny ? v : null));
      const bs = Array.from(d.batch_sizes);
      await P().react(chart, [
        { x: bs, y: pos(d.one_over_b), mode: "lines", name: "tr Σ / B (with replacement)", line: { color: "#6b7280", dash: "dot", width: 2 } },
        { x: bs, y: pos(d.exact), mode: "lines", name: "exact (N−B)/(B(N−1))·tr Σ", line: { color: LOOK.full.color, width: 2 } },
        { x: bs, y: pos(d.measured), mode: "markers", name: `measured (${fmt(d.draws)} batches each)`, marker: { color: LOOK.stochastic.color, symbol: "triangle-up", size: 9 } },
      ], layout("batch size B", "tr Cov(g_B)", { xaxis: { type: "log" }, yaxis: { type: "log", exponentformat: "power" } }), CONFIG);
      const i = bs.indexOf(32);
      return `At the race's full-batch start on ${d.dataset} (N = ${fmt(d.n)}), ${fmt(d.draws)} random batches per size. ` +
        (i >= 0 ? `B = 32: measured ${fmt(d.measured[i], 4)}, exact ${fmt(d.exact[i], 4)}. ` : "") +
        `Doubling B halves the noise; at B = N = ${fmt(d.n)} every batch is the whole dataset, so the ` +
        `measured noise is ${d.measured.at(-1) <= tiny ? "zero (up to rounding)" : fmt(d.measured.at(-1))}, as the exact law says and the 1/B line does not.`;
    });
}

function flatBasin(root) {
  measured(root, "Measured: how often runs end in the flat basin", "/api/experiments/flat-basin",
    async (chart, d) => {
      const bs = Array.from(d.batch_sizes, String);
      const pct = (a) => Array.from(a, (v) => 100 * v);
      await P().react(chart, [
        { type: "bar", x: bs, y: pct(d.constant), name: `constant η = ${d.lr}`, marker: { color: LOOK.stochastic.color } },
        { type: "bar", x: bs, y: pct(d.cosine), name: "cosine-annealed η", marker: { color: LOOK.full.color, pattern: { shape: "/" } } },
      ], layout("batch size B", "% of runs in the flat basin", { yaxis: { range: [0, 100] }, xaxis: { type: "category" } }), CONFIG);
      return `${fmt(d.runs)} runs per bar from the same random starts on a surface with a sharp and a flat minimum, ` +
        `${d.epochs} epochs of N = 1,000. B = 1: ${fmt(100 * d.constant[0], 3)}% end flat; B = N: ${fmt(100 * d.constant.at(-1), 3)}%.`;
    });
}

function stepsToTarget(root) {
  const ds = root.dataset.dataset || "synthetic";
  measured(root, "Measured: updates to reach a target loss", `/api/experiments/steps-to-target?dataset=${ds}`,
    async (chart, d) => {
      const ok = Array.from(d.steps, (s) => s > 0);
      const bs = Array.from(d.batch_sizes).filter((_, i) => ok[i]);
      const steps = Array.from(d.steps).filter((_, i) => ok[i]);
      const fit = bs.map((b) => d.s_min * (1 + d.b_crit / b));
      const top = Math.max(...steps);
      await P().react(chart, [
        { x: bs, y: steps, mode: "markers+lines", name: "measured (best η per B)", line: { color: LOOK.mini.color, dash: "dash" }, marker: { symbol: "square", size: 8, color: LOOK.mini.color } },
        { x: bs, y: fit, mode: "lines", name: "fit S_min(1 + B_crit/B)", line: { color: "#6b7280", width: 2 } },
        { x: [d.b_simple, d.b_simple], y: [0, top], mode: "lines", name: "B_simple = tr Σ / |G|²", line: { color: LOOK.stochastic.color, dash: "dot" } },
      ], layout("batch size B", "updates to target", { xaxis: { type: "log" }, yaxis: { rangemode: "tozero" } }), CONFIG);
      return `${d.dataset}: updates until J − J* falls to 1/1000 of its start, the learning rate picked per B from ` +
        `${d.lrs.length} values, mean of 3 shuffles. Fit: B_crit ≈ ${fmt(d.b_crit, 3)}; measured noise scale ` +
        `B_simple ≈ ${fmt(d.b_simple, 3)}. Past B_crit, a bigger batch barely cuts the updates but costs more per update.`;
    });
}

function lossCurves(root) {
  root.replaceChildren();
  const chart = el("div", { class: "measure-chart", role: "img", "aria-label": "Loss of the race's three runs during the first epochs" });
  const note = el("p", { class: "widget-note" });
  root.append(el("p", { class: "widget-title" }, "Measured: the first epochs of the race above"), chart, note);
  const draw = async (model) => {
    if (!model || !window.Plotly) return;
    const n = model.n, min = model.raw.minimum.loss, upto = 3 * n;
    const traces = model.methods.slice().reverse().map((m) => {
      const k = m.examples.findIndex((e) => e > upto);
      const end = k < 0 ? m.examples.length : k;
      return { x: Array.from(m.examples.subarray(0, end), (e) => e / n), y: Array.from(m.loss.subarray(0, end), (v) => v - min),
        mode: "lines", name: `${m.label} (B = ${fmt(m.batch_size)})`, line: { color: LOOK[m.key].color, dash: LOOK[m.key].dash, width: m.key === "stochastic" ? 1 : 2 } };
    });
    await P().react(chart, traces, layout("epochs", "J − J*", { yaxis: { type: "log", exponentformat: "power" } }), CONFIG);
    note.textContent = `The same three runs as the race (seed ${model.spec.seed}), first three epochs: full batch falls smoothly once per epoch, ` +
      "the mini-batch curve wobbles, the stochastic one jumps at every example.";
    root.dataset.drawn = "1";
  };
  document.addEventListener("batchlab:scene", (e) => draw(e.detail));
  draw(window.batchlab && window.batchlab.model);
}

export const MEASURES = {
  "noise-vs-batch": noiseVsBatch,
  "flat-basin": flatBasin,
  "steps-to-target": stepsToTarget,
  "loss-curves": lossCurves,
};
