// Pieces the deep dives share: the datasets they offer, the data-and-batch-size inputs, a
// measurement that refetches as its inputs change, and the loss-surface traces and legend
// placement of their Plotly charts.
import { el, getTyped, numberInput, plotlyReady, select, whenVisible } from "../measures.js";
import { fmt } from "../look.js";
import { DATASETS, SIZES, nameOf } from "../datasets.js";

export { DATASETS, SIZES, datasetName, nameOf } from "../datasets.js";

/** The "Data" select (every dataset, with its N) and the "Batch size B" field, as
 *  [data label, select, B label, input]: the data set named by `wanted` (else the synthetic
 *  one), B = min(b0, N); choosing a smaller dataset cuts B back to its N. */
export function dataAndBatch(uid, wanted, b0) {
  const first = SIZES[wanted] ? wanted : "synthetic";
  const [ld, inD] = select(`${uid}-data`, "Data", DATASETS.map(([k]) => [k, `${nameOf(k)} (N = ${fmt(SIZES[k])})`]), first);
  const [lb, inB] = numberInput(`${uid}-b`, "Batch size B", Math.min(b0, SIZES[first]), 1, SIZES[first]);
  inD.addEventListener("change", () => { if (Number(inB.value) > SIZES[inD.value]) inB.value = String(SIZES[inD.value]); });
  return [ld, inD, lb, inB];
}

/** Check the batch-size field: a whole number from 1 to N. Sets its max and aria-invalid;
 *  returns the message to show, "" when B is fine. */
export function checkBatch(inB, n) {
  const b = Number(inB.value);
  const ok = inB.value !== "" && Number.isInteger(b) && b >= 1 && b <= n;
  inB.max = String(n);
  inB.setAttribute("aria-invalid", String(!ok));
  return ok ? "" : `B must be a whole number from 1 to N = ${fmt(n)}.`;
}

/** The error line under a widget's inputs, announced, and described by each of `inputs`. */
export function errorLine(id, ...inputs) {
  const err = el("p", { class: "field-error", role: "alert", id });
  for (const input of inputs) input.setAttribute("aria-describedby", id);
  return err;
}

/** A measurement redone whenever its inputs change: GET `path` with the query `read()`
 *  returns (null while an input is invalid) plus a shuffle seed, then `draw(d)` once Plotly
 *  is there. Nothing is fetched before `root` first comes near the viewport; a newer request
 *  aborts the one in flight; errors go to `note`. `root.dataset.drawn` is "0" from a change
 *  until the measurement of the latest inputs is drawn, then "1" (never "1" for an older
 *  one). Returns go (now), soon (after `delay` ms without a further change) and reshuffle
 *  (the next seed, now). */
export function liveMeasure(root, note, path, { read, draw, delay = 250 }) {
  let seed = 0, ctrl = null, timer = 0, visible = false;
  const go = async () => {
    const v = read();
    if (!v || !visible) return;
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const { signal } = ctrl;
    root.dataset.drawn = "0";
    note.textContent = "Measuring…";
    try {
      const d = await getTyped(`${path}?${new URLSearchParams({ ...v, seed })}`, signal);
      await plotlyReady();
      if (signal.aborted) return;
      await draw(d);
      if (!signal.aborted && !timer) root.dataset.drawn = "1"; // else a newer change is on its way
    } catch (x) {
      if (x.name !== "AbortError") note.textContent = `Could not measure: ${x.message}.`;
    }
  };
  const soon = () => {
    clearTimeout(timer); timer = 0;
    if (read()) { root.dataset.drawn = "0"; timer = setTimeout(() => { timer = 0; go(); }, delay); }
  };
  const reshuffle = () => { seed = (seed + 1) % 1001; go(); };
  whenVisible(root, () => { visible = true; go(); });
  return { go, soon, reshuffle };
}

/** Epochs on the x axis: update t sits at t / (updates per epoch). */
export const epochsOf = (count, upe, from = 0) => Array.from({ length: count }, (_, k) => (k + from) / upe);

/** The loss surface J(w, b) of a dive's grid {w, b, loss} as filled, pale contours. */
export function surface(g, extra = {}) {
  return { type: "contour", x: Array.from(g.w), y: Array.from(g.b), z: g.loss, showscale: false, ncontours: 18,
    colorscale: [[0, "#eef2f7"], [1, "#ffffff"]], contours: { coloring: "fill", showlines: true },
    line: { color: "#b8c0cc", width: 1 }, hoverinfo: "skip", name: "J(w, b)", ...extra };
}

/** The runs' common start d.start and the minimum d.minimum of J, as two marker traces. */
export function startAndMinimum(d) {
  return [
    { x: [d.start[0]], y: [d.start[1]], mode: "markers+text", name: "start", text: ["start"], textposition: "bottom right",
      marker: { color: "#1b2330", symbol: "circle-open", size: 11, line: { width: 2 } }, showlegend: false, hoverinfo: "skip" },
    { x: [d.minimum.w], y: [d.minimum.b], mode: "markers", name: "minimum of J", marker: { color: "#1b2330", symbol: "star", size: 13 } },
  ];
}

/** Set a chart's height and put its legend in a band `top` px high above the plot. */
export function legendAbove(lay, height, top) {
  lay.height = height;
  lay.margin = { ...lay.margin, t: top };
  lay.legend = { ...lay.legend, y: 1.0, yanchor: "bottom" };
  return lay;
}

/** The learning rates a dive's free η field accepts: the race's range, as the server sends it
 *  in the page's #meta (the dives' routes take the same), so one rule holds in every widget. */
export const RATE = (() => {
  const { low, high } = JSON.parse(document.getElementById("meta").textContent).limits.lr;
  return { min: low, max: high };
})();

/** Check a learning-rate field against RATE. An empty field is an error like any other (never
 *  a silent fallback). Sets aria-invalid; returns the message to show, "" when η is fine. */
export function checkRate(input) {
  const v = Number(input.value);
  const ok = input.value.trim() !== "" && Number.isFinite(v) && v >= RATE.min && v <= RATE.max;
  input.setAttribute("aria-invalid", String(!ok));
  return ok ? "" : `η must be a number from ${RATE.min} to ${RATE.max}.`;
}
