// C4 sorted-data: one logistic run on class-sorted data, read in stored order vs reshuffled
// every epoch (GET /api/dives/sorted-data): loss per update, share of class 1 per batch,
// both paths on the loss surface, cosines between consecutive batch gradients, and the
// server's check that the engine's paths equal a plain NumPy replay of the same batches.
import { CONFIG, el, equalAxes, layout, mapHeight, numberInput, select } from "../measures.js";
import { count, fmt, signed } from "../look.js";
import { checkBatch, datasetName, epochsOf, errorLine, legendAbove, liveMeasure, SIZES, startAndMinimum, surface } from "./common.js";

const RUNS = {
  sorted: { name: "class-sorted, read in order", color: "#b42318", dash: "solid", symbol: "circle" },
  shuffled: { name: "shuffled every epoch", color: "#0f766e", dash: "dash", symbol: "diamond" },
};
const LRS = [0.1, 0.3, 1, 3];

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
  legendAbove(lay, 330, chart.clientWidth < 520 ? 46 : 30); // room for a wrapped legend
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

async function drawPaths(chart, d) {
  const g = d.grid, upe = d.updates_per_epoch;
  const traces = [surface(g)];
  for (const key of ["sorted", "shuffled"]) {
    const r = d[key], s = RUNS[key];
    const ends = Array.from({ length: d.epochs + 1 }, (_, e) => Math.min(e * upe, r.w.length - 1));
    traces.push({ x: Array.from(r.w), y: Array.from(r.b), mode: "lines", name: s.name, showlegend: false,
      line: { color: s.color, dash: s.dash, width: key === "sorted" ? 1.6 : 2 }, hoverinfo: "skip" });
    traces.push({ x: ends.map((i) => r.w[i]), y: ends.map((i) => r.b[i]), mode: "markers", name: `${key}: end of each epoch`,
      marker: { color: s.color, symbol: s.symbol, size: 9, line: { color: "#fff", width: 1 } }, hovertemplate: "w %{x:.3f}, b %{y:.3f}<extra></extra>" });
  }
  traces.push(...startAndMinimum(d));
  // equal scale: a swing in b looks as large as the same swing in w
  const top = chart.clientWidth < 520 ? 76 : 40, ratio = (g.b.at(-1) - g.b[0]) / (g.w.at(-1) - g.w[0]);
  const lay = legendAbove(equalAxes(layout("weight w", "bias b", { xaxis: { range: [g.w[0], g.w.at(-1)] },
    yaxis: { range: [g.b[0], g.b.at(-1)] } })), mapHeight(chart, ratio, { extra: top + 52, lo: 200 }), top);
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

/** How many batches of the first epoch hold one class only, per run. */
function pureBatches(r, upe) {
  let pure = 0;
  for (let t = 0; t < upe && t < r.share.length; t++) if (r.share[t] === 0 || r.share[t] === 1) pure += 1;
  return pure;
}

/** The caption under the widget, chosen from the numbers it describes: which run's pushes
 *  repeat more (cosines), which ends closer to the minimum, and what the single-class count
 *  says (nothing at B = 1, where every batch is one example and so one class). */
export function caption(d, pure, pureSh) {
  const so = d.sorted, sh = d.shuffled, upe = d.updates_per_epoch, min = d.minimum.loss;
  const endSo = signed(so.loss.at(-1) - min, 3), endSh = signed(sh.loss.at(-1) - min, 3);
  const cosSo = signed(so.mean_cosine, 3), cosSh = signed(sh.mean_cosine, 3);
  const intro = `${datasetName(d.dataset)}, N = ${fmt(d.n)}: ${count(d.class0, "example", "examples")} of class 0 stored first, ` +
    `then ${fmt(d.class1)} of class 1; B = ${d.b}, η = ${d.lr}, ${count(d.epochs, "epoch", "epochs")} of ` +
    `${count(upe, "update", "updates")}, both from (w, b) = (0, 0). `;
  if (upe === 1) {
    return intro + "With B = N the one batch of each epoch is the whole training set, so the order of the examples cannot matter: " +
      `both runs take the same full-batch step every epoch and end at the same J − J* = ${endSo} (shuffled: ${endSh}). ` +
      "Make B smaller to see sorting hurt.";
  }
  const classes = d.b === 1
    ? "With B = 1 every batch is a single example, so every batch holds one class in both runs: the count of single-class " +
      "batches says nothing here; compare the cosines and the loss instead. "
    : `Read in order, ${pure} of the ${count(upe, "batch", "batches")} of every epoch ${pure === 1 ? "holds" : "hold"} a single class ` +
      `(shuffled: ${pureSh}). `;
  const pushes = so.mean_cosine > sh.mean_cosine
    ? `Consecutive pushes repeat more when sorted: mean cosine ${cosSo} between consecutive batch gradients against ${cosSh} when shuffled. `
    : `Here the sorted pushes do not repeat more than the shuffled ones: mean cosine ${cosSo} between consecutive batch gradients ` +
      `against ${cosSh} when shuffled` + (upe <= 10 ? ` (with only ${count(upe, "batch", "batches")} per epoch, each shuffled batch is ` +
      "a large sample of the whole set, so consecutive shuffled gradients point alike as well). " : ". ");
  const end = so.loss.at(-1) > sh.loss.at(-1)
    ? `The sorted run ends each epoch where the last class pulled it: J − J* = ${endSo} after the last epoch, versus ${endSh} shuffled.`
    : `After the last epoch the sorted run is not behind here: J − J* = ${endSo}, versus ${endSh} shuffled.`;
  return intro + classes + pushes + end;
}

export function mount(root, uid) {
  const title = root.getAttribute("aria-label") || "Measured: the same run on class-sorted data, with and without shuffling";
  root.replaceChildren();
  const inputs = el("div", { class: "widget-inputs" });
  const [ld, inD] = select(`${uid}-data`, "Data", [["synthetic-classification", "synthetic (N = 1,000)"], ["breast-cancer", "breast cancer (N = 569)"]], "synthetic-classification");
  const [lb, inB] = numberInput(`${uid}-b`, "Batch size B", 25, 1, SIZES["synthetic-classification"]);
  const [ll, inL] = select(`${uid}-lr`, "Learning rate η", LRS.map((v) => [v, String(v)]), 1);
  const [le, inE] = select(`${uid}-ep`, "Epochs", Array.from({ length: 10 }, (_, i) => [i + 1, String(i + 1)]), 5);
  const again = el("button", { type: "button", class: "btn sd-reshuffle" }, "New shuffle ↻");
  inputs.append(ld, lb, ll, le, again);
  const err = errorLine(`${uid}-err`, inB);
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

  const read = () => {
    const why = checkBatch(inB, SIZES[inD.value]);
    err.textContent = why;
    return why ? null : { dataset: inD.value, b: Number(inB.value), lr: inL.value, epochs: inE.value };
  };

  const draw = async (d) => {
    await drawLoss(lossChart, d);
    await drawPaths(pathChart, d);
    const min = d.minimum.loss, so = d.sorted, sh = d.shuffled, upe = d.updates_per_epoch;
    const pure = pureBatches(so, upe), pureSh = pureBatches(sh, upe);
    const put = (key, a, b) => { cells[key][0].textContent = a; cells[key][1].textContent = b; };
    put("cos", signed(so.mean_cosine, 3), signed(sh.mean_cosine, 3));
    put("pure", `${pure} of ${upe}`, `${pureSh} of ${upe}`);
    put("end", signed(so.loss.at(-1) - min, 3), signed(sh.loss.at(-1) - min, 3));
    const ok = d.replay_gap < 1e-9;
    check.textContent = `${ok ? "✓" : "✗"} Check: a plain NumPy loop over the same batches reproduces both engine paths; ` +
      `largest difference ${fmt(d.replay_gap, 2)}.`;
    check.dataset.ok = String(ok);
    note.textContent = caption(d, pure, pureSh);
  };

  const { soon, reshuffle } = liveMeasure(root, note, "/api/dives/sorted-data", { read, draw });
  inB.addEventListener("input", soon);
  for (const s of [inD, inL, inE]) s.addEventListener("change", soon);
  again.addEventListener("click", reshuffle);
}
