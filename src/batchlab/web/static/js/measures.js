// Live measurements in the lesson: small charts drawn from /api/experiments/* when they
// scroll into view, each stating what was measured, how, and the check against a formula.
import { decodeTyped } from "./api.js";
import { datasetName } from "./datasets.js";
import { fmt, fmtSci, FONT, LOOK, NEUTRAL, pct } from "./look.js";

const P = () => window.Plotly;
export const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false };
const GREY = "#5b6472"; // ≥ 4.5:1 on white

export function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text instanceof Node) e.append(text);
  else if (text) e.textContent = text;
  return e;
}

// Subscripts written as λ_max, B_crit, S_min, B_simple, g_B in the code's strings.
const SUB = /_(max|min|crit|simple|B)(?![A-Za-z])/g;

/** A string for plotly text (titles, legend, annotations) with real <sub> subscripts. */
export const sub = (s) => s.replace(SUB, "<sub>$1</sub>");

/** The same string as DOM nodes (text and <sub> elements), never parsed as HTML. */
export function richText(s) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of s.matchAll(SUB)) {
    frag.append(s.slice(last, m.index), el("sub", {}, m[1]));
    last = m.index + m[0].length;
  }
  frag.append(s.slice(last));
  return frag;
}

export function layout(xTitle, yTitle, extra = {}) {
  return {
    margin: { l: 58, r: 12, t: 8, b: 44 }, height: 260, font: { ...FONT, size: 12 }, dragmode: false,
    // automargin: the margins grow to hold tick labels and titles, so a title never prints over them
    xaxis: { title: { text: xTitle, standoff: 4 }, fixedrange: true, automargin: true, ...(extra.xaxis || {}) },
    yaxis: { title: { text: yTitle, standoff: 8 }, fixedrange: true, automargin: true, ...(extra.yaxis || {}) },
    legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0, font: { size: 11 } },
    plot_bgcolor: "#fff", paper_bgcolor: "#fff",
  };
}

/** Equal scale on a map: one unit of x drawn as long as one unit of y. The axis with room to
 *  spare gives it up (its plot shrinks, centred); `lay` is changed and returned. */
export function equalAxes(lay, x = "xaxis", y = "yaxis") {
  // no grid or zero lines: the contours are the map's reference, and those lines would run
  // past a shrunk plot's edges
  const bare = { showgrid: false, zeroline: false };
  lay[x] = { ...lay[x], ...bare, constrain: "domain" };
  lay[y] = { ...lay[y], ...bare, scaleanchor: x === "xaxis" ? "x" : x.replace("axis", ""), scaleratio: 1, constrain: "domain" };
  return lay;
}

/** The height at which a map whose box is `ratio` (y span ÷ x span) fills `chart`'s width at
 *  equal scale: `extra` px go to margins and legend, `side` px to the left and right margins;
 *  kept within [lo, hi] (beyond, the map leaves room at its sides or above and below). */
export function mapHeight(chart, ratio, { extra, side = 70, lo = 260, hi = 560 }) {
  const width = (chart.clientWidth || 600) - side;
  return Math.round(Math.min(hi, Math.max(lo, width * ratio + extra)));
}

/** Resolves once plotly.js (loaded async by the page) is there; rejects if it failed to
 *  load, also when that happened before this was called (the tag's onerror marks it). */
export function plotlyReady() {
  return new Promise((ok, fail) => {
    if (window.Plotly) { ok(); return; }
    const s = document.getElementById("plotly-js");
    if (!s) { fail(new Error("plotly.js is not on this page")); return; }
    const failed = () => fail(new Error("plotly.js did not load"));
    if (s.dataset.failed) { failed(); return; }
    s.addEventListener("load", ok, { once: true });
    s.addEventListener("error", failed, { once: true });
  });
}

/** A labelled <select>: [label element, select element]. */
export function select(id, label, options, value) {
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

/** A labelled number field for whole numbers: [label element, input element]; `max` may be left out. */
export function numberInput(id, label, value, min = 1, max = null) {
  const wrap = el("label", { for: id }, label);
  const input = el("input", { id, type: "number", min: String(min), ...(max === null ? {} : { max: String(max) }),
    step: "1", inputmode: "numeric", value: String(value) });
  wrap.append(input);
  return [wrap, input];
}

/** One label–value box of a `.widget-out` list: <div><dt>label</dt>…values</div>. */
function box(label, ...values) {
  const d = el("div");
  d.append(el("dt", {}, label), ...values);
  return d;
}

/** Label–value boxes (`.widget-out`, plus `attrs`): the numbers a measurement stands on. */
export function facts(pairs, attrs = {}) {
  const dl = el("dl", { class: "widget-out", ...attrs });
  for (const [label, value] of pairs) dl.append(box(label, el("dd", {}, value)));
  return dl;
}

/** `facts` with λ_max-style subscripts in labels and values shown as real subscripts. */
export function richFacts(pairs, attrs = {}) {
  return facts(pairs.map(([l, v]) => [richText(l), richText(String(v))]), attrs);
}

/** Empty boxes to fill in later: one per [key, label], appended to the list `dl`; returns
 *  {key: its <dd data-out="key">}. */
export function outCells(dl, pairs) {
  const cells = {};
  for (const [key, label] of pairs) {
    cells[key] = el("dd", { "data-out": key });
    dl.append(box(label, cells[key]));
  }
  return cells;
}

/** Run `go` once `root` comes near the viewport. */
export function whenVisible(root, go) {
  if (!("IntersectionObserver" in window)) { go(); return; }
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { io.disconnect(); go(); }
  }, { rootMargin: "300px" });
  io.observe(root);
}

/** Fetch JSON with typed arrays, or throw with the status; a 422's Error names the query
 *  parameter at fault as `field` (else "query") and carries the server's message. */
export async function getTyped(url, signal) {
  const r = await fetch(url, { signal });
  if (!r.ok) {
    let why = `the server answered ${r.status}`, field = "query";
    try {
      const j = await r.json();
      if (Array.isArray(j.detail) && j.detail[0]) { why = j.detail[0].msg; field = String(j.detail[0].loc.at(-1)); }
    } catch (_) { /* not JSON */ }
    throw Object.assign(new Error(why), { field });
  }
  return decodeTyped(await r.json());
}

/** A chart's height: taller on a phone, where the legend takes several rows. */
export const tall = (chart, height) => (chart.clientWidth && chart.clientWidth < 500 ? height + 90 : height);

const titleOf = (root, fallback) => root.getAttribute("aria-label") || fallback;

/** Mount a measurement: title, chart, note; fetch and draw once visible. `draw` returns
 *  the note, or {note, facts: [[label, value], …]} to show the numbers above it. */
export function measured(root, title, url, draw) {
  root.replaceChildren();
  const chart = el("div", { class: "measure-chart", role: "img", "aria-label": title });
  const note = el("p", { class: "widget-note", "aria-live": "polite" }, "Measuring…");
  root.append(el("p", { class: "widget-title" }, title), chart, note);
  whenVisible(root, async () => {
    try {
      const d = await getTyped(url);
      await plotlyReady();
      const out = await draw(chart, d);
      if (typeof out === "string") note.replaceChildren(richText(out));
      else { note.before(richFacts(out.facts)); note.replaceChildren(richText(out.note)); }
      root.dataset.drawn = "1";
    } catch (err) {
      note.textContent = `Could not measure: ${err.message}.`;
    }
  });
}


function noiseVsBatch(root) {
  const ds = root.dataset.dataset || "synthetic";
  measured(root, titleOf(root, "Measured: gradient noise against batch size"), `/api/experiments/noise-vs-batch?dataset=${ds}`,
    async (chart, d) => {
      const tiny = 1e-12 * Math.max(...d.exact); // B = N: zero up to floating-point rounding
      const pos = (a) => Array.from(a, (v) => (v > tiny ? v : null));
      const bs = Array.from(d.batch_sizes), n = d.n;
      const err = (se) => ({ type: "data", array: Array.from(se, (s) => 2 * s), thickness: 1.2, width: 3 });
      await P().react(chart, [
        { x: bs, y: pos(d.one_over_b), mode: "lines", name: "tr Σ / B", line: { color: GREY, dash: "dot", width: 2 } },
        { x: bs, y: pos(d.exact), mode: "lines", name: "exact (N−B)/(B(N−1))·tr Σ", line: { color: NEUTRAL.slate.color, width: 2 } },
        { x: bs, y: pos(d.replacement), mode: "markers", name: "measured, with replacement", error_y: { ...err(d.replacement_se), color: GREY },
          marker: { color: GREY, symbol: "circle-open", size: 13, line: { width: 1.8 } } },
        { x: bs, y: pos(d.measured), mode: "markers", name: "measured, without (shuffle)", error_y: { ...err(d.measured_se), color: NEUTRAL.purple.color },
          marker: { color: NEUTRAL.purple.color, symbol: "diamond", size: 9 } },
      ], {
        ...layout("batch size B (log)", sub("tr Cov(g_B)  (log)"), { xaxis: { type: "log", dtick: 1 }, yaxis: { type: "log", dtick: 1, exponentformat: "power" } }),
        height: tall(chart, 300),
        annotations: [{ x: Math.log10(n), y: 0, yref: "paper", yanchor: "bottom", xanchor: "right", text: "exact: 0 at B = N", showarrow: true, ax: -58, ay: -4,
          arrowcolor: NEUTRAL.slate.color, font: { size: 11, color: NEUTRAL.slate.color }, bgcolor: "rgba(255,255,255,0.9)" }],
      }, CONFIG);
      return {
        facts: [
          ["tr Σ at this θ", fmt(d.trace_sigma, 4)],
          [`shuffled vs exact: largest error (${fmt(d.max_z, 2)} s.e.)`, pct(d.max_rel_error)],
          [`with replacement vs tr Σ/B (${fmt(d.max_replacement_z, 2)} s.e.)`, pct(d.max_replacement_error)],
          [`measured at B = N = ${fmt(n)}`, d.full_batch_measured <= tiny ? `0 up to rounding (${fmtSci(d.full_batch_measured, 2)})` : fmt(d.full_batch_measured)],
        ],
        note: `${datasetName(d.dataset)}, N = ${fmt(n)}, at the full-batch start of this dataset's race. Each point: ${fmt(d.draws)} random batches of B ` +
          "examples, their mean gradients, and the trace of the sample covariance (bars: ±2 standard errors of that estimate). " +
          "Drawn without replacement the points follow the exact law and reach zero at B = N (up to rounding, " +
          `${fmtSci(d.full_batch_measured, 2)}), where every batch is the whole dataset; ` +
          "drawn with replacement they follow tr Σ / B. The gap between the two lines only opens once B is a sizeable share of N.",
      };
    });
}

function flatBasin(root, uid = "fb") {
  root.replaceChildren();
  const title = titleOf(root, "Measured: how often runs end in the flat basin");
  const [bLabel, bSel] = select(`${uid}-b`, "batch size on the map", [], "");
  const [sLabel, sSel] = select(`${uid}-s`, "learning rate", [["constant", "constant η"], ["cosine", "cosine-annealed η"]], "constant");
  const inputs = el("div", { class: "widget-inputs" });
  inputs.append(bLabel, sLabel);
  const map = el("div", { class: "measure-chart", role: "img", "aria-label": "Loss surface with a sharp and a flat minimum; each start marked by where its run ended" });
  const bars = el("div", { class: "measure-chart", role: "img", "aria-label": "Share of runs that end in the flat basin, per batch size" });
  const mapNote = el("p", { class: "widget-note", "aria-live": "polite" });
  const note = el("p", { class: "widget-note" }, "Measuring…");
  root.append(el("p", { class: "widget-title" }, title), inputs, map, mapNote, bars, note);
  let d = null;

  const drawMap = async () => {
    const i = Number(bSel.value), kind = sSel.value, r = d[kind], last = d.batch_sizes.length - 1;
    const here = r.ended_flat[i], atN = d.constant.ended_flat[last];
    const pick = (test) => {
      const ks = d.starts.map((_, k) => k).filter(test);
      return { x: ks.map((k) => d.starts[k][0]), y: ks.map((k) => d.starts[k][1]), n: ks.length };
    };
    const both = pick((k) => here[k] && atN[k]), saved = pick((k) => here[k] && !atN[k]), sharp = pick((k) => !here[k]);
    const b = d.batch_sizes[i];
    // labels beside their stars, away from the runs the noise rescued (they crowd the sharp
    // basin's far side): the sharp one to its right, the flat one below
    const star = (at, text, ax, ay, xanchor) => ({ x: at[0], y: at[1], text, showarrow: true, ax, ay, xanchor,
      arrowwidth: 1, arrowcolor: "#1b2330", font: { size: 12, color: "#1b2330" }, bgcolor: "rgba(255,255,255,0.92)", borderpad: 2 });
    await P().react(map, [
      { type: "contour", x: Array.from(d.grid_w), y: Array.from(d.grid_b), z: d.grid_loss, showscale: false, hoverinfo: "skip",
        colorscale: [[0, "#dfe6f3"], [1, "#ffffff"]], contours: { coloring: "fill", showlines: true }, line: { color: "#b8c2d3", width: 0.8 }, ncontours: 18 },
      { x: both.x, y: both.y, mode: "markers", name: `flat, as without noise (${both.n})`, marker: { color: "#8d95a3", symbol: "hexagon", size: 6 } },
      { x: saved.x, y: saved.y, mode: "markers", name: `flat, rescued by noise (${saved.n})`, marker: { color: NEUTRAL.slate.color, symbol: NEUTRAL.slate.symbol, size: 9, line: { color: "#fff", width: 1 } } },
      { x: sharp.x, y: sharp.y, mode: "markers", name: `ended sharp (${sharp.n})`, marker: { color: "#b42318", symbol: "x-thin-open", size: 9, line: { width: 2, color: "#b42318" } } },
      { x: [d.sharp[0], d.flat[0]], y: [d.sharp[1], d.flat[1]], mode: "markers", showlegend: false, hoverinfo: "skip",
        marker: { symbol: "star", size: 15, color: "#1b2330", line: { color: "#fff", width: 1 } } },
    ], {
      ...equalAxes(layout("w", "b", { xaxis: { range: d.box[0], zeroline: false }, yaxis: { range: d.box[1], zeroline: false } })),
      height: mapHeight(map, (d.box[1][1] - d.box[1][0]) / (d.box[0][1] - d.box[0][0]), { extra: map.clientWidth < 500 ? 120 : 100, lo: 220 }),
      annotations: [star(d.sharp, "sharp minimum", 22, -12, "left"), star(d.flat, "flat minimum", 0, 30, "center")],
    }, CONFIG);
    mapNote.textContent = `Map: each dot is one start. B = ${fmt(b)}${b === d.n ? " (= N, full batch)" : ""}, ${kind === "cosine" ? "cosine-annealed" : "constant"} η: ` +
      `${r.count[i]} of ${d.runs} runs ended in the flat basin; ${saved.n} of them started where a noiseless run (B = N) ends sharp. ` +
      `Median distance of the end points from their minimum: ${fmt(r.settle[i], 2)}.`;
  };

  whenVisible(root, async () => {
    try {
      d = await getTyped("/api/experiments/flat-basin");
      await plotlyReady();
      const bs = Array.from(d.batch_sizes);
      bSel.replaceChildren(...bs.map((b, i) => el("option", { value: String(i) }, b === d.n ? `${b} (= N)` : String(b))));
      bSel.value = "0";
      const labels = bs.map((b) => (b === d.n ? `${b}<br>= N` : String(b)));
      const bar = (kind, name, color, pattern) => {
        const r = d[kind], f = Array.from(r.fraction, (v) => 100 * v);
        return { type: "bar", x: labels, y: f, name, marker: { color, pattern: { shape: pattern, fillmode: "overlay", fgcolor: "#fff", solidity: 0.3 } },
          text: Array.from(r.count, (c) => `${c}`), textposition: "inside", insidetextanchor: "start", textangle: 0, textfont: { color: "#fff", size: 10 },
          error_y: { type: "data", symmetric: false, array: f.map((v, k) => 100 * r.high[k] - v), arrayminus: f.map((v, k) => v - 100 * r.low[k]), color: "#1b2330", thickness: 1.2, width: 3 },
          hovertemplate: `${name}, B = %{x}: %{text} of ${d.runs} (%{y:.1f} %)<extra></extra>` };
      };
      const gd = 100 * d.constant.fraction.at(-1);
      await P().react(bars, [
        bar("constant", `constant η = ${d.lr}`, NEUTRAL.teal.color, ""),
        bar("cosine", "cosine-annealed η", NEUTRAL.purple.color, "/"),
        { x: [labels[0], labels.at(-1)], y: [gd, gd], mode: "lines", name: "no noise (B = N)", line: { color: "#1b2330", dash: "dot", width: 1.5 }, hoverinfo: "skip" },
      ], {
        ...layout("batch size B", "% of runs ending flat", { yaxis: { range: [0, 105] }, xaxis: { type: "category", tickangle: 0 } }),
        height: 290, bargap: 0.25, uniformtext: { minsize: 9, mode: "hide" },
      }, CONFIG);
      await drawMap();
      bSel.addEventListener("change", drawMap);
      sSel.addEventListener("change", drawMap);
      const c = d.constant, a = d.cosine, last = bs.length - 1;
      note.before(facts([
        ["B = 1 ends flat", `${c.count[0]} / ${d.runs}`],
        [`B = N = ${d.n} ends flat`, `${c.count[last]} / ${d.runs}`],
        ["B = 1: cosine settles closer by", `${fmt(c.settle[0] / a.settle[0], 2)}×`],
        ["curvature sharp / flat", `${fmt(d.sharp_curvature, 2)} / ${fmt(d.flat_curvature, 2)}`],
      ]));
      note.textContent = `${d.runs} runs per bar from the same random starts (the dots on the map), ${fmt(d.updates)} updates each whatever B, ` +
        `on N = ${d.n} shifted copies of a surface with one sharp and one flat minimum; bars show the share that ended nearer the flat minimum, ` +
        `with 95 % intervals; the count is inside a bar where it fits, and under the pointer. η = ${d.lr} is below 2/λ of the sharp basin (${fmt(2 / d.sharp_curvature, 2)}), ` +
        "so a run without noise can rest there: what moves the small batches out is the noise. The annealed rate keeps most of that " +
        `exploration but settles its runs far closer to the bottom (median distance at B = 1: ${fmt(c.settle[0], 2)} constant, ${fmt(a.settle[0], 2)} cosine).`;
      root.dataset.drawn = "1";
    } catch (err) {
      note.textContent = `Could not measure: ${err.message}.`;
    }
  });
}

/** C9: what the short last batch of an epoch does at the batch size the fit misses most,
 *  from the server's second measurement of that size without it (drop_last). */
function shortBatch(d, bs, steps, dropped) {
  if (!dropped) return "";
  const b = d.fit_worst_b, last = d.worst_last_batch, kept = steps[bs.indexOf(b)];
  const lr = d.best_lr[Array.from(d.batch_sizes).indexOf(b)];
  const spread = (k) => (d.n - k) / (k * (d.n - 1));  // variance of a mean of k, drawn without replacement
  const helps = dropped.steps < 0.9 * kept && dropped.lr > lr;
  return `At B = ${fmt(b)} every epoch ends on a batch of ${fmt(last)} (${fmt(d.n)} = ${fmt(Math.floor(d.n / b))} × ${fmt(b)} + ${fmt(last)}), ` +
    `whose mean gradient has ${fmt(spread(last) / spread(b), 2)}× the variance of a batch of ${fmt(b)}'s. ` +
    `Measured again without it (drop_last, the hollow marker), B = ${fmt(b)} needs ${fmt(dropped.steps, 3)} updates instead of ${fmt(kept, 3)}` +
    (helps ? `, at a larger rate (η = ${fmt(dropped.lr, 2)} against ${fmt(lr, 2)}): the short batch's noisy steps, ` +
      "which a settled run must ride out too, held it back. " : ". ");
}

function stepsToTarget(root) {
  const ds = root.dataset.dataset || "synthetic-offset";
  measured(root, titleOf(root, "Measured: updates to reach a target loss"), `/api/experiments/steps-to-target?dataset=${ds}`,
    async (chart, d) => {
      const ok = Array.from(d.steps, (s) => s > 0);
      const bs = Array.from(d.batch_sizes).filter((_, i) => ok[i]);
      const steps = Array.from(d.steps).filter((_, i) => ok[i]);
      const dense = Array.from({ length: 60 }, (_, i) => bs[0] * (bs.at(-1) / bs[0]) ** (i / 59));
      // perfect scaling: the smallest B's measured updates, divided by how many times larger B is
      const ideal = dense.map((b) => steps[0] * bs[0] / b), fit = dense.map((b) => d.s_min * (1 + d.b_crit / b));
      const dropped = d.worst_drop_last && d.worst_drop_last.steps > 0 ? d.worst_drop_last : null;
      const all = [...steps, ...ideal, ...fit].filter((v) => v > 0);
      const top = Math.max(...all) * 1.3, bottom = Math.min(...all) / 1.3;
      const vline = (x, name, color, dash) => ({ x: [x, x], y: [bottom, top], mode: "lines", name, line: { color, dash, width: 1.6 }, hoverinfo: "skip" });
      await P().react(chart, [
        { x: dense, y: ideal, mode: "lines", name: `perfect scaling ∝ 1/B from B = ${fmt(bs[0])}`, line: { color: "#9aa3b0", dash: "dot", width: 1.4 },
          hovertemplate: `perfect scaling from B = ${fmt(bs[0])}: B = %{x:.3g}, %{y:.3g} updates<extra></extra>` },
        { x: dense, y: fit, mode: "lines", name: sub("fit S_min(1 + B_crit/B)"), line: { color: GREY, width: 2 } },
        vline(d.b_crit, sub(`B_crit ≈ ${fmt(d.b_crit, 3)} (fit)`), GREY, "dash"),
        vline(d.b_simple, sub(`B_simple ≈ ${fmt(d.b_simple, 3)} (start)`), NEUTRAL.purple.color, "dot"),
        ...(d.b_simple_target <= d.n ? [vline(d.b_simple_target, sub(`B_simple ≈ ${fmt(d.b_simple_target, 3)} (target)`), NEUTRAL.purple.color, "dashdot")] : []),
        { x: bs, y: steps, mode: "markers", name: "measured (best η per B)", marker: { symbol: NEUTRAL.slate.symbol, size: 9, color: NEUTRAL.slate.color },
          hovertemplate: "B = %{x}: %{y:.1f} updates<extra></extra>" },
        ...(dropped ? [{ x: [d.fit_worst_b], y: [dropped.steps], mode: "markers", name: sub(`B = ${fmt(d.fit_worst_b)} without its short last batch`),
          marker: { symbol: `${NEUTRAL.slate.symbol}-open`, size: 11, color: NEUTRAL.slate.color, line: { width: 2 } },
          hovertemplate: `B = %{x}, drop_last: %{y:.1f} updates<extra></extra>` }] : []),
      ], { ...layout("batch size B (log)", "updates to target (log)", { xaxis: { type: "log", dtick: 1 }, yaxis: { type: "log", dtick: 1, range: [Math.log10(bottom), Math.log10(top)] } }),
        height: tall(chart, 280) }, CONFIG);
      const floor = Math.min(...steps), floorAt = bs[steps.findIndex((v) => v <= 1.05 * floor)];
      const missed = ok.filter((v) => !v).length;
      return {
        facts: [
          ["critical batch B_crit (fit)", fmt(d.b_crit, 3)],
          ["noise scale B_simple at the start", fmt(d.b_simple, 3)],
          [`B_simple at the target loss${d.b_simple_target > d.n ? " (> N, off the chart)" : ""}`, fmt(d.b_simple_target, 3)],
          ["check: full-batch updates, engine = plain descent", `${fmt(d.steps.at(-1))} = ${fmt(d.gd_steps)}`],
        ],
        note: `${datasetName(d.dataset)}, N = ${fmt(d.n)}: updates until J − J* falls to 1/${fmt(Math.round(1 / d.target))} of its value at the start and stays there ` +
          `to the end of the ${d.max_epochs}-epoch budget (a lucky dip that bounces back out does not count), each B with the best of ${d.lrs.length} ` +
          `learning rates up to just below the stability limit 2/λ_max = ${fmt(d.lr_limit, 3)} (a rate counts only if all ${d.seeds} shuffles settle; the mean is plotted). ` +
          (missed ? `${missed} batch size${missed > 1 ? "s" : ""} never settled with any rate and ${missed > 1 ? "are" : "is"} left out. ` : "") +
          `The dotted line is perfect scaling: the ${fmt(steps[0], 3)} updates measured at B = ${fmt(bs[0])}, divided by how many times larger B is. ` +
          `From B = ${fmt(bs[0])} to B = ${fmt(floorAt)} the updates fall from ${fmt(steps[0], 3)} to ${fmt(floor, 3)}, and larger batches stay on that floor. ` +
          `The fit (S_min ≈ ${fmt(d.s_min, 3)} updates against a measured floor of ${fmt(floor, 3)}, least squares on the log scale) is a summary: ` +
          `it misses B = ${fmt(d.fit_worst_b)} most, by ${pct(d.fit_error, 0)}. ` + shortBatch(d, bs, steps, dropped) +
          `The noise scale B_simple = tr Σ / |G|² is ${fmt(d.b_simple, 3)} at the start and ${fmt(d.b_simple_target, 3)} at the target loss: it grows as the loss falls, ` +
          "because the gradient shrinks towards the minimum while the per-example spread does not" +
          (d.b_simple_target < d.b_crit ? `. Both lie below the fitted B_crit ≈ ${fmt(d.b_crit, 3)}: staying below the target at every remaining update asks more of a small batch than one good step on average.` : "."),
      };
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
    // stochastic drawn first (underneath), listed last: the legend reads Full, Mini, Stochastic
    const traces = model.methods.map((m, rank) => {
      const k = m.examples.findIndex((e) => e > upto);
      const end = k < 0 ? m.examples.length : k;
      const x = Array.from(m.examples.subarray(0, end), (e) => e / n), y = Array.from(m.loss.subarray(0, end), (v) => v - min);
      // a staircase: the loss only changes at an update and holds until the next one
      return { x, y, mode: "lines", name: `${m.label} (B = ${fmt(m.batch_size)})`, legendrank: rank + 1,
        line: { color: LOOK[m.key].color, dash: LOOK[m.key].dash, width: m.key === "stochastic" ? 1 : 2, shape: "hv" },
        hovertemplate: `${m.label}<br>epoch %{x:.3f}<br>J − J* = %{y:.3g}<extra></extra>` };
    }).reverse();
    await P().react(chart, traces, { ...layout("epochs", "J − J*", { yaxis: { type: "log", exponentformat: "power" } }),
      height: tall(chart, 260) }, CONFIG);
    note.textContent = `The same three runs as the race (seed ${model.spec.seed}), first three epochs, each a staircase: the loss only changes ` +
      "when the parameters do. Full batch steps down once per epoch, the mini-batch curve in many small, wobbly steps, " +
      "the stochastic one jumps at every example.";
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
