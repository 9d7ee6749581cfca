// C5 batch-arrows: at one point θ (the race's mini-batch start), the full gradient ∇J(θ),
// the batch gradients of one shuffled epoch as arrows and their size-weighted running
// mean, which lands on ∇J(θ) at the end of the epoch; the running mean of independent
// random batches, which only closes in like 1/√k; and P(i ∈ batch) = B/N counted over
// many epochs (GET /api/dives/batch-arrows). Every number comes from the server.
import { CONFIG, el, facts, layout } from "../measures.js";
import { LOOK, fmt, signed } from "../look.js";
import { checkBatch, dataAndBatch, errorLine, legendAbove, liveMeasure, nameOf, SIZES } from "./common.js";
const GREY = "#5b6472";
const BATCH = "#7c8796"; // one batch's arrow: quiet, so the means stand out
const EPOCH = { color: "#1a7f37", dash: "dash", symbol: "square" };
const RANDOM = { color: "#c2410c", dash: "dot", symbol: "triangle-up" };

/** Arrows from the origin of the gradient plane as one line trace (null between arrows). */
function spokes(w, b) {
  const x = [], y = [];
  for (let k = 0; k < w.length; k++) x.push(0, w[k], null), y.push(0, b[k], null);
  return { x, y };
}

/** The one metric every "− ∇J" number of the widget uses but the RMS lengths. */
const GAP = "largest coordinate difference";
const gapText = (v) => (v === 0 ? "0 (exact)" : fmt(v, 2));

/** A square box around ∇J(θ) holding the epoch's running means (past the first tenth of a
 *  long epoch, whose first means are single far-off batches): where the averaging happens. */
function zoomBox(d) {
  const e = d.epoch, [gw, gb] = d.full, K = e.running.w.length;
  let half = 0;
  for (let k = K > 30 ? Math.floor(K / 10) : 0; k < K; k++) {
    half = Math.max(half, Math.abs(e.running.w[k] - gw), Math.abs(e.running.b[k] - gb));
  }
  half = Math.max(1.15 * half, 0.02 * Math.hypot(gw, gb), 1e-3);
  return { w: [gw - half, gw + half], b: [gb - half, gb + half] };
}

/** Equal-length ranges holding the origin θ and every arrow tip, so a square panel keeps
 *  one unit the same length on both axes and fills its space. */
function squareRanges(w, b) {
  const lo = [Math.min(0, ...w), Math.min(0, ...b)], hi = [Math.max(0, ...w), Math.max(0, ...b)];
  const side = 1.12 * Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-9);
  const mid = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2];
  return { w: [mid[0] - side / 2, mid[0] + side / 2], b: [mid[1] - side / 2, mid[1] + side / 2] };
}

async function drawPlane(chart, d) {
  const e = d.epoch, r = d.random, [gw, gb] = d.full, K = e.sizes.length;
  const narrow = chart.clientWidth < 620, many = K > 60;
  const s = spokes(e.grads.w, e.grads.b), z = zoomBox(d), sq = squareRanges(e.grads.w, e.grads.b);
  const both = (t, legend) => [{ ...t, xaxis: "x", yaxis: "y", showlegend: legend }, { ...t, xaxis: "x2", yaxis: "y2", showlegend: false }];
  const traces = [
    { ...s, mode: "lines", name: `batch gradients g<sub>k</sub>, one epoch (${fmt(K)})`, hoverinfo: "skip", xaxis: "x", yaxis: "y",
      line: { color: BATCH, width: many ? 0.6 : 1.2 }, opacity: many ? 0.5 : 0.9 },
    ...both({ x: Array.from(e.grads.w), y: Array.from(e.grads.b), mode: "markers", name: "tip of g<sub>k</sub>",
      marker: { color: BATCH, size: many ? 3 : 6, symbol: "circle" }, hovertemplate: "g<sub>k</sub> = (%{x:.3g}, %{y:.3g})<extra></extra>" }, false),
    { x: Array.from(r.running.w), y: Array.from(r.running.b), mode: "lines", name: `running mean of ${fmt(r.draws)} random batches`,
      xaxis: "x2", yaxis: "y2", line: { color: RANDOM.color, dash: RANDOM.dash, width: 2 }, hoverinfo: "skip" },
    ...both({ x: Array.from(e.running.w), y: Array.from(e.running.b), mode: K > 1 ? "lines+markers" : "markers", name: "running mean over the epoch",
      line: { color: EPOCH.color, dash: EPOCH.dash, width: 2.4 }, marker: { color: EPOCH.color, symbol: EPOCH.symbol, size: many ? 4 : 7 },
      hovertemplate: "mean of the first batches: (%{x:.4g}, %{y:.4g})<extra></extra>" }, true),
    ...both({ x: [gw], y: [gb], mode: "markers", name: "full gradient ∇J(θ)",
      marker: { color: LOOK.full.color, symbol: "circle-open", size: 17, line: { width: 3 } },
      hovertemplate: "∇J(θ) = (%{x:.4g}, %{y:.4g})<extra></extra>" }, true),
    { x: [0], y: [0], mode: "markers", name: "θ", marker: { color: "#1b2330", size: 7 }, hoverinfo: "skip", showlegend: false },
  ];
  const gap = 0.1;
  const dom = narrow ? { x1: [0, 1], y1: [0.56, 1], x2: [0, 1], y2: [0, 0.44] } : { x1: [0, 0.47], y1: [0, 1], x2: [0.53 + gap / 4, 1], y2: [0, 1] };
  const lay = layout("∂J/∂w", "∂J/∂b", {
    xaxis: { domain: dom.x1, range: sq.w, zeroline: true, zerolinecolor: "#c3cad5" },
    yaxis: { domain: dom.y1, range: sq.b, zeroline: true, zerolinecolor: "#c3cad5", scaleanchor: "x", scaleratio: 1, constrain: "domain" },
  });
  lay.xaxis.constrain = "domain";
  lay.xaxis2 = { domain: dom.x2, anchor: "y2", range: z.w, fixedrange: true, title: { text: "∂J/∂w (zoom)", standoff: 4 }, constrain: "domain" };
  lay.yaxis2 = { domain: dom.y2, anchor: "x2", range: z.b, fixedrange: true, scaleanchor: "x2", scaleratio: 1, constrain: "domain",
    title: { text: narrow ? "∂J/∂b" : "", standoff: 4 } };
  legendAbove(lay, narrow ? 640 : 420, narrow ? 78 : 56);
  lay.margin.r = 16;
  const box = { type: "rect", xref: "x", yref: "y", x0: z.w[0], x1: z.w[1], y0: z.b[0], y1: z.b[1], line: { color: "#1b2330", width: 1, dash: "dot" } };
  lay.shapes = [box];
  lay.annotations = [
    { x: gw, y: gb, ax: 0, ay: 0, xref: "x", yref: "y", axref: "x", ayref: "y", showarrow: true,
      arrowhead: 2, arrowsize: 1, arrowwidth: 3.2, arrowcolor: LOOK.full.color, text: "" },
    { x: 0, y: 0, xref: "x", yref: "y", text: "θ", showarrow: false, xanchor: "right", yanchor: "bottom", xshift: -4, yshift: 2,
      font: { size: 13, color: "#1b2330" } },
    { x: gw, y: gb, xref: "x2", yref: "y2", text: "∇J(θ)", showarrow: false, xanchor: "left", yanchor: "bottom", xshift: 8, yshift: 4,
      font: { size: 13, color: LOOK.full.color }, bgcolor: "rgba(255,255,255,0.8)" },
    { x: 0, y: 1, xref: "x2 domain", yref: "y2 domain", text: "zoom: the dotted box", showarrow: false, xanchor: "left", yanchor: "top",
      font: { size: 11, color: GREY }, bgcolor: "rgba(255,255,255,0.8)" },
  ];
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

/** The lower chart's y range, in log10: the 1/√k region of the random batches' mean and
 *  the epoch's trail before its last batch, at most six decades deep, so the 1/√k law is
 *  not squashed by the end of epoch's rounding-level distance (shown apart, at the foot). */
export function distanceRange(d) {
  const e = d.epoch, r = d.random, K = e.sizes.length;
  const seen = [...r.distance, ...r.expected, ...Array.from(e.distance).slice(0, K - 1)].filter((v) => v > 0);
  if (!seen.length) return [-17, -14]; // every mean exact: only rounding to show
  const top = Math.max(...seen) * 2;
  const low = Math.max(Math.min(...seen) / 2, top * 1e-6);
  return [Math.log10(low), Math.log10(top)];
}

async function drawDistance(chart, d) {
  const e = d.epoch, r = d.random, K = e.sizes.length;
  const ks = (n) => Array.from({ length: n }, (_, i) => i + 1);
  const pos = (a) => Array.from(a, (v) => (v > 0 ? v : null)); // log axis: 0 is not drawn
  const range = distanceRange(d), below = !(e.distance[K - 1] >= 10 ** range[0]);
  const foot = below ? 10 ** range[0] : e.distance[K - 1];
  const traces = [
    { x: ks(r.draws), y: pos(r.expected), mode: "lines", name: "exact RMS, random batches", line: { color: GREY, dash: "dot", width: 1.6 }, hoverinfo: "skip" },
    { x: ks(r.draws), y: pos(r.distance), mode: "lines", name: "random batches, measured", line: { color: RANDOM.color, width: 1.6 },
      hovertemplate: "k = %{x}: %{y:.3g}<extra></extra>" },
    { x: ks(K), y: pos(e.expected), mode: "lines", name: "exact RMS, one epoch", line: { color: EPOCH.color, dash: "dot", width: 1.6 }, hoverinfo: "skip" },
    { x: ks(K - 1), y: pos(Array.from(e.distance).slice(0, K - 1)), mode: K > 2 ? "lines+markers" : "markers", name: "one epoch, measured",
      line: { color: EPOCH.color, dash: EPOCH.dash, width: 2.2 }, marker: { color: EPOCH.color, symbol: EPOCH.symbol, size: K > 60 ? 4 : 7 },
      hovertemplate: "k = %{x}: %{y:.3g}<extra></extra>" },
    // the end of the epoch, at rounding level: on the bottom edge when it is below the scale
    { x: [K], y: [foot], mode: "markers", name: "end of epoch", cliponaxis: false,
      marker: { color: EPOCH.color, symbol: "triangle-down", size: 12, line: { color: "#fff", width: 1 } },
      hovertemplate: `k = ${K}: end of epoch, ${GAP} ${gapText(e.gap)}<extra></extra>` },
  ];
  const lay = layout("batches averaged k  (log)", "length |mean − ∇J(θ)|  (log)", {
    xaxis: { type: "log", range: [-0.08, Math.log10(Math.max(r.draws, K)) + 0.08] },
    yaxis: { type: "log", exponentformat: "power", range },
  });
  legendAbove(lay, 300, chart.clientWidth < 520 ? 72 : 34);
  // Label to the right of the marker while there is room, so it never sits on the y tick labels.
  const right = Math.log10(K) < 0.6 * Math.log10(Math.max(r.draws, K));
  lay.annotations = [{ x: Math.log10(K), y: Math.log10(foot), text: `end of epoch: ${gapText(e.gap)}<br>${chart.clientWidth < 520 ? GAP.replace(" difference", "<br>difference") : GAP}` +
      `${below ? ",<br>below this scale" : ""}`,
    showarrow: true, ax: right ? 24 : -24, ay: -34, xanchor: right ? "left" : "right", align: right ? "left" : "right",
    arrowcolor: EPOCH.color, font: { size: 11, color: "#14532d" }, bgcolor: "rgba(255,255,255,0.85)" }];
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

export function mount(root, uid) {
  const title = root.getAttribute("aria-label") || "Measured: the batch gradients of one epoch at one point, and their running mean";
  root.replaceChildren();
  const inputs = el("div", { class: "widget-inputs" });
  const [ld, inD, lb, inB] = dataAndBatch(uid, root.dataset.dataset, 50);
  const one = el("button", { type: "button", class: "btn ba-preset", "data-b": "1" }, "B = 1");
  const all = el("button", { type: "button", class: "btn ba-preset", "data-b": "N" }, "B = N");
  const again = el("button", { type: "button", class: "btn ba-preset ba-reshuffle" }, "New shuffle ↻");
  inputs.append(ld, lb, one, all, again);
  const err = errorLine(`${uid}-err`, inB);
  const plane = el("div", { class: "measure-chart ba-plane", role: "img",
    "aria-label": "Gradient plane: the batch gradients of one epoch as arrows from θ, the full gradient, and two running means" });
  const dist = el("div", { class: "measure-chart ba-dist", role: "img",
    "aria-label": "Distance of each running mean from the full gradient against the number of batches averaged, log–log" });
  const out = el("div", { class: "ba-facts" });
  const check = el("p", { class: "ba-check", "data-out": "check" });
  const check2 = el("p", { class: "ba-check", "data-out": "inclusion" });
  const distNote = el("p", { class: "widget-note ba-dist-note", hidden: "" });
  const note = el("p", { class: "widget-note", "aria-live": "polite" }, "Measuring…");
  root.append(el("p", { class: "widget-title" }, title), inputs, err, plane, check, check2, out, dist, distNote, note);

  const read = () => {
    const why = checkBatch(inB, SIZES[inD.value]);
    err.textContent = why;
    return why ? null : { dataset: inD.value, b: Number(inB.value) };
  };

  const draw = async (d) => {
    await drawPlane(plane, d);
    const e = d.epoch, K = e.sizes.length, last = e.sizes[K - 1], short = last !== d.b;
    // B = N: every batch is the whole set, so every mean is ∇J(θ) up to rounding: no 1/√k to chart
    const whole = d.b === d.n;
    dist.hidden = whole;
    distNote.hidden = !whole;
    if (whole) {
      distNote.textContent = `With B = N every batch, random or not, is the whole dataset, so every running mean is ∇J(θ) up to rounding ` +
        `(${GAP} ${gapText(d.random.gap)} after ${fmt(d.random.draws)} batches): there is no noise to average away, and no 1/√k to chart.`;
    } else {
      await drawDistance(dist, d);
    }
    const norm = Math.hypot(d.full[0], d.full[1]);
    const ok = e.gap <= 1e-12 * Math.max(1, norm);
    check.dataset.ok = String(ok);
    const what = K === 1 ? "the epoch's single batch, the whole dataset, gives ∇J(θ)" :
      `the ${fmt(K)} batch gradients of this epoch, ${short ? "each weighted by its batch size, " : ""}average to ∇J(θ)`;
    check.textContent = `${ok ? "✓" : "✗"} Check: ${what} up to ${gapText(e.gap)} ` +
      `(the largest coordinate difference; |∇J(θ)| = ${fmt(norm, 3)}).`;
    const inc = d.inclusion;
    const incOk = inc.spread <= 1.5 * inc.expected_spread + 1e-15;
    check2.dataset.ok = String(incOk);
    check2.textContent = `${incOk ? "✓" : "✗"} Check: over ${fmt(inc.epochs)} shuffled epochs each example was in the first batch ` +
      `a share ${fmt(inc.mean, 4)} ± ${fmt(inc.spread, 2)} of the time (mean ± s.d. over the N examples): B/N = ${fmt(inc.expected, 4)}, ` +
      `and sampling alone predicts a spread of ${fmt(inc.expected_spread, 2)}.`;
    out.replaceChildren(facts([
      ["∇J(θ) = (∂J/∂w, ∂J/∂b)", `(${signed(d.full[0], 4)}, ${signed(d.full[1], 4)})`],
      [`${short ? "epoch mean, weighted − ∇J" : "epoch mean − ∇J"}, ${GAP}`, gapText(e.gap)],
      short ? [`plain mean of the ${fmt(K)} arrows − ∇J, ${GAP}`, fmt(e.plain_gap, 3)]
        : ["one batch − ∇J, RMS length", fmt(Math.sqrt(d.batch_variance), 3)],
      [`mean of ${fmt(d.random.draws)} random batches − ∇J, ${GAP}`, `${fmt(d.random.gap, 2)}`],
    ], { "data-out": "facts" }));
    const arrows = K === 1 ? "a single arrow, the whole dataset, which is ∇J(θ) itself" :
      `${fmt(K)} arrows${short ? `, the last from a short batch of ${fmt(last)}` : ""}`;
    note.textContent = `${nameOf(d.dataset)}, N = ${fmt(d.n)}, ${d.model} model, at θ = (${signed(d.theta[0], 3)}, ${signed(d.theta[1], 3)}), ` +
      `the race's mini-batch start, which stays fixed: nothing is trained here. One shuffled epoch with B = ${fmt(d.b)} gives ${arrows}. ` +
      `Each grey arrow is one batch's gradient; the green trail is their running mean, weighted by batch size, and it ends on ∇J(θ). ` +
      (whole ? "Every batch is the whole dataset, so every example is in the first batch every time (B/N = 1). "
        : `The orange trail averages ${fmt(d.random.draws)} independent batches (each from a fresh shuffle): it only closes in like 1/√k, ` +
        `along the exact RMS line √((N−B)/(B(N−1))·tr Σ / k), tr Σ = ${fmt(d.trace_sigma, 4)}. ` +
        (short ? `The plain average of the arrows misses by ${fmt(e.plain_gap, 3)}, because the short batch would count as much as a full one. ` : "") +
        `The counted shares of the first batch ranged from ${fmt(inc.min, 3)} to ${fmt(inc.max, 3)} over the examples ` +
        `(largest deviation from B/N: ${fmt(inc.max_z, 2)} standard errors, among N examples).`);
  };

  const { soon, reshuffle } = liveMeasure(root, note, "/api/dives/batch-arrows", { read, draw });
  inB.addEventListener("input", soon);
  inD.addEventListener("change", soon);
  for (const btn of [one, all]) {
    btn.addEventListener("click", () => { inB.value = btn.dataset.b === "N" ? String(SIZES[inD.value]) : btn.dataset.b; soon(); });
  }
  again.addEventListener("click", reshuffle);
}
