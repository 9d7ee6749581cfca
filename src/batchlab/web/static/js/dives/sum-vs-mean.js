// C11 sum-vs-mean: three runs on one batch order from the race's mini-batch start
// (GET /api/dives/sum-vs-mean): the averaged loss with η, the summed loss with η/B (the
// same path), and the summed loss with η (every step B times longer). Paths on the loss
// surface, J − J* per update, and the server's checks: the largest difference between the
// first two paths, and a NumPy loop of the summed-with-η/B update against the engine's summed run.
import { CONFIG, el, facts, layout, select } from "../measures.js";
import { count, fmt, fmtSci } from "../look.js";
import {
  checkBatch, dataAndBatch, epochsOf, errorLine, legendAbove, liveMeasure, nameOf, SIZES, startAndMinimum, surface, checkRate, RATE
} from "./common.js";
// Line style and marker carry the run as well as the colour.
const RUNS = {
  mean: { color: "#1f5fbf", dash: "solid", width: 7, opacity: 0.35, symbol: "circle" },
  sum_scaled: { color: "#1b2330", dash: "dash", width: 2, opacity: 1, symbol: "square" },
  sum_raw: { color: "#b42318", dash: "dot", width: 2.2, opacity: 1, symbol: "x" },
};

const label = (key, d) => ({
  mean: `averaged, η = ${fmt(d.lr)}`,
  sum_scaled: `summed, η/B = ${fmtSci(d.sum_scaled.lr, 4)}`,
  sum_raw: `summed, η = ${fmt(d.lr)}`,
}[key]);

const small = (v) => (v === 0 ? "0 (bit for bit)" : fmt(v, 2));

async function drawPaths(chart, d) {
  const g = d.grid, upe = d.updates_per_epoch;
  const traces = [surface(g, { showlegend: false })];
  for (const key of ["mean", "sum_scaled", "sum_raw"]) {
    const r = d[key], s = RUNS[key];
    const ends = [];
    for (let e = 1; e * upe <= r.updates; e++) ends.push(e * upe);
    traces.push({ x: Array.from(r.w), y: Array.from(r.b), mode: "lines", name: label(key, d), opacity: s.opacity,
      line: { color: s.color, dash: s.dash, width: s.width }, hoverinfo: "skip" });
    if (key !== "mean") {
      traces.push({ x: ends.map((i) => r.w[i]), y: ends.map((i) => r.b[i]), mode: "markers", showlegend: false, name: `${label(key, d)}: end of epoch`,
        marker: { color: s.color, symbol: s.symbol, size: 8, line: { color: s.color, width: 2 } }, hovertemplate: "end of an epoch: w %{x:.3f}, b %{y:.3f}<extra></extra>" });
    }
  }
  const marks = startAndMinimum(d);
  // Put the "start" label on the side of its marker that faces the middle, so it stays inside the plot.
  const fx = (d.start[0] - g.w[0]) / (g.w[g.w.length - 1] - g.w[0]), fy = (d.start[1] - g.b[0]) / (g.b[g.b.length - 1] - g.b[0]);
  marks[0].textposition = `${fy < 0.2 ? "top" : "bottom"} ${fx > 0.7 ? "left" : "right"}`;
  // The minimum last, so it is drawn over the end-of-epoch markers that gather around it,
  // with a white rim to tell it apart from the dark squares.
  marks[1].marker = { ...marks[1].marker, size: 16, line: { color: "#fff", width: 1.5 } };
  traces.push(...marks);
  // The server's grid is square: both axes share one scale, so contours and steps keep their true shapes.
  const lay = layout("weight w", "bias b", {
    // the server's square grid leaves room around the minimum and the start (gradients.py _square)
    xaxis: { range: [g.w[0], g.w[g.w.length - 1]], constrain: "domain" },
    yaxis: { range: [g.b[0], g.b[g.b.length - 1]], scaleanchor: "x", scaleratio: 1, constrain: "domain" },
  });
  legendAbove(lay, chart.clientWidth < 520 ? 380 : 440, chart.clientWidth < 520 ? 70 : 44);
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

async function drawLoss(chart, d) {
  const min = d.minimum.loss, upe = d.updates_per_epoch;
  const traces = [];
  let top = 0;
  for (const key of ["mean", "sum_scaled", "sum_raw"]) {
    const r = d[key], s = RUNS[key];
    const y = Array.from(r.loss, (v) => Math.max(v - min, 1e-16));
    top = Math.max(top, ...y);
    traces.push({ x: epochsOf(y.length, upe), y, mode: "lines", name: label(key, d), opacity: s.opacity,
      line: { color: s.color, dash: s.dash, width: s.width }, hovertemplate: "epoch %{x:.2f}: J − J* = %{y:.3g}<extra></extra>" });
  }
  const lay = layout("epochs (one point per update)", "J − J*  (log)", {
    xaxis: { range: [0, d.epochs], dtick: d.epochs > 5 ? 2 : 1 }, yaxis: { type: "log", exponentformat: "power" },
  });
  legendAbove(lay, 300, chart.clientWidth < 520 ? 70 : 44);
  const raw = d.sum_raw;
  if (raw.diverged_at !== null) {
    const k = raw.updates;
    lay.annotations = [{ x: k / upe, y: Math.log10(Math.max(raw.loss[k] - min, 1e-16)), text: `blew up at update ${fmt(raw.diverged_at)}`,
      showarrow: true, ax: 60, ay: 18, arrowcolor: RUNS.sum_raw.color, font: { size: 11, color: RUNS.sum_raw.color }, bgcolor: "rgba(255,255,255,0.85)" }];
  }
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

async function drawGap(chart, d) {
  const upe = d.updates_per_epoch, gaps = Array.from(d.gaps), s = RUNS.sum_scaled;
  // row k: after update k (row 0: the common start)
  const traces = [{ x: gaps.map((_, k) => k / upe), y: gaps, mode: "lines", name: "averaged vs summed with η/B",
    line: { color: s.color, width: 2, shape: "hv" }, hovertemplate: "update %{customdata}: largest difference %{y:.3g}<extra></extra>",
    customdata: gaps.map((_, k) => k) }];
  // a little room past the last update, where a short last batch leaves its largest gap
  const lay = layout("epochs (one point per update)", "gap in w or b", {
    xaxis: { range: [0, d.epochs * 1.03], dtick: d.epochs > 5 ? 2 : 1 }, yaxis: { rangemode: "tozero", exponentformat: "power" },
  });
  lay.height = 220;
  lay.showlegend = false;
  if (d.first_split !== null) {
    lay.annotations = [{ x: d.first_split / upe, y: gaps[d.first_split], text: `update ${fmt(d.first_split)}: the short batch of ${count(d.split_size, "example", "examples")}`,
      showarrow: true, ax: 50, ay: -24, arrowcolor: s.color, font: { size: 11 }, bgcolor: "rgba(255,255,255,0.85)" }];
  }
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

export function mount(root, uid) {
  const title = root.getAttribute("aria-label") || "Measured: summing per-example gradients instead of averaging them";
  root.replaceChildren();
  const inputs = el("div", { class: "widget-inputs" });
  const [ld, inD, lb, inB] = dataAndBatch(uid, root.dataset.dataset, 25);
  const ll = el("label", { for: `${uid}-lr` }, "Learning rate η");
  const inL = el("input", { id: `${uid}-lr`, type: "number", min: String(RATE.min), max: String(RATE.max), step: "any", inputmode: "decimal", value: "" });
  ll.append(inL);
  const [le, inE] = select(`${uid}-ep`, "Epochs", Array.from({ length: 10 }, (_, i) => [i + 1, String(i + 1)]), 3);
  const [lk, inK] = select(`${uid}-last`, "Short last batch", [["keep", "keep it"], ["drop", "drop it"]], "keep");
  const again = el("button", { type: "button", class: "btn sm-reshuffle" }, "New shuffle ↻");
  inputs.append(ld, lb, ll, le, lk, again);
  const err = errorLine(`${uid}-err`, inB, inL);
  const check = el("p", { class: "sm-check", "data-out": "check" });
  const out = el("div", { class: "sm-facts" });
  const pathChart = el("div", { class: "measure-chart sm-chart", role: "img", "aria-label": "The three paths of (w, b) on the contours of the loss" });
  const lossChart = el("div", { class: "measure-chart sm-chart", role: "img", "aria-label": "Loss gap J − J* after every update for the three runs" });
  const gapChart = el("div", { class: "measure-chart sm-gap", role: "img", "aria-label": "Largest difference between the averaged run and the summed run with η/B after every update" });
  // Said in words instead of drawn when there is nothing to draw: no gap after any update.
  const gapNote = el("p", { class: "widget-note sm-gap-note", "data-out": "gap-note", hidden: "" });
  const note = el("p", { class: "widget-note", "aria-live": "polite" }, "Measuring…");
  root.append(el("p", { class: "widget-title" }, title), inputs, err, check, out, pathChart, gapChart, gapNote, lossChart, note);

  // η is the dataset's own default until the learner edits it (at the start and after a
  // change of dataset); an edited η is checked like B, an empty field included.
  let datasetRate = true;
  const read = () => {
    const whyB = checkBatch(inB, SIZES[inD.value]);
    const whyL = datasetRate ? "" : checkRate(inL);
    err.textContent = [whyB, whyL].filter(Boolean).join(" ");
    // While the inputs are invalid, the check and facts describe an older run: hide them.
    const bad = Boolean(whyB || whyL);
    for (const e of [check, out, note]) e.hidden = bad;
    if (bad) gapNote.hidden = true; // a sentence about the last valid run: drawing brings it back
    for (const c of [pathChart, gapChart, lossChart]) c.classList.toggle("stale", bad);
    if (bad) return null;
    const q = { dataset: inD.value, b: Number(inB.value), epochs: inE.value, last: inK.value };
    if (!datasetRate) q.lr = Number(inL.value);
    return q;
  };

  const draw = async (d) => {
    if (datasetRate) { inL.value = String(d.lr); datasetRate = false; }
    await drawPaths(pathChart, d);
    // the two runs never apart: a blank chart would say nothing, a sentence says it exactly
    const flat = d.gap === 0;
    gapChart.hidden = flat;
    gapNote.hidden = !flat;
    gapNote.textContent = flat ? `The averaged run and the summed run with η/B agree exactly after every one of the ` +
      `${count(d.mean.updates, "update", "updates")} (gap 0, bit for bit), so there is no gap to chart.` : "";
    if (!flat) await drawGap(gapChart, d);
    await drawLoss(lossChart, d);
    const min = d.minimum.loss, raw = d.sum_raw, m = d.mean, upe = d.updates_per_epoch;
    const same = d.first_split === null;
    check.hidden = false; out.hidden = false; note.hidden = false;
    for (const c of [pathChart, gapChart, lossChart]) c.classList.remove("stale");
    check.dataset.ok = String(same);
    if (same) {
      check.textContent = `✓ The averaged run with η and the summed run with η/B coincide: largest difference ${small(d.gap)} ` +
        `over ${count(m.updates, "update", "updates")}; a plain NumPy loop of the summed update matches the engine's summed path to ${small(d.replay_gap)}.`;
    } else {
      check.textContent = `The paths split after update ${fmt(d.first_split)}: that update used the short last batch of ${count(d.split_size, "example", "examples")}, ` +
        `and summed with η/B its step is ${fmt(d.split_size)}/${fmt(d.b)} of the averaged one. Drop the short batch, or choose a B that divides ` +
        `N = ${fmt(d.n)}, and they coincide. (Largest difference now: ${fmt(d.gap, 2)}.)`;
    }
    const rawEnd = raw.diverged_at !== null ? `diverged at update ${fmt(raw.diverged_at)}` :
      d.b === 1 ? "same path (B = 1)" : `J − J* = ${fmt(raw.loss[raw.updates] - min, 3)} at the end`;
    out.replaceChildren(facts([
      ["averaged vs summed with η/B: largest difference", small(d.gap)],
      ["check: NumPy summed loop vs engine's summed run", small(d.replay_gap)],
      ["averaged, η: J − J* at the end", fmt(m.loss[m.updates] - min, 3)],
      [`summed with η: steps ${fmt(d.b)}× longer`, rawEnd],
    ], { "data-out": "facts" }));
    note.textContent = `${nameOf(d.dataset)}, N = ${fmt(d.n)}, ${d.model} model, B = ${fmt(d.b)}, ${count(d.epochs, "epoch", "epochs")} of ${count(upe, "update", "updates")}` +
      `${d.short ? ` (the last holds ${count(d.short, "example", "examples")})` : ""}, all three runs from the race's mini-batch start on the same shuffled batches. ` +
      `The blue band (averaged, η = ${fmt(d.lr)}) and the dark dashed line (summed, η/B = ${fmtSci(d.sum_scaled.lr, 4)}) lie on top of each other` +
      (same ? (d.gap === 0 ? ", exactly: the gap is 0 after every update. " : `; the middle chart shows they never differ by more than ${fmt(d.gap, 2)} (rounding). `)
        : ` until update ${fmt(d.first_split)}, the first short batch; the middle chart shows how far apart every short batch pushes them (up to ${fmt(d.gap, 2)}). `) +
      (d.b === 1 ? "With B = 1 summing and averaging are the same thing, so all three runs agree. " :
        raw.diverged_at !== null ? `Summed with the same η, every step is ${fmt(d.b)} times longer: the red dotted run overshoots and blows up (|θ| past 10⁶ at update ${fmt(raw.diverged_at)}). ` :
          `Summed with the same η, every step is ${fmt(d.b)} times longer: the red dotted run takes a different path (up to ${fmt(d.raw_gap, 3)} away) and ends elsewhere. `) +
      (m.diverged_at !== null ? `At this η even the averaged run blows up (update ${fmt(m.diverged_at)}): too large a step for this data, whatever the convention. ` : "") +
      "A learning rate means something only together with the reduction it was tuned for.";
  };

  const { soon, reshuffle } = liveMeasure(root, note, "/api/dives/sum-vs-mean", { read, draw, delay: 300 });
  inB.addEventListener("input", soon);
  inL.addEventListener("input", () => { datasetRate = false; soon(); });
  inD.addEventListener("change", () => { datasetRate = true; soon(); }); // the new dataset's own η
  for (const s of [inE, inK]) s.addEventListener("change", soon);
  again.addEventListener("click", reshuffle);
}
