// C8 lr-scaling: the linear scaling rule measured (GET /api/dives/lr-scaling). Loss gap
// against examples seen for a base (B, η) and, for a chosen k, (kB, η) and (kB, kη)
// (optionally warmed up); below, every k at once: examples to the target relative to the
// base, with the stability limit 2/λ_max that the server predicts the rule cannot pass.
import { CONFIG, el, getTyped, layout, plotlyReady, richFacts, richText, select, sub, tall, whenVisible } from "../measures.js";
import { datasetName } from "../datasets.js";
import { NEUTRAL, fmt } from "../look.js";

const DATASETS = [["synthetic", "synthetic (linear)"], ["diabetes", "diabetes (linear)"],
  ["synthetic-classification", "synthetic (logistic)"], ["breast-cancer", "breast cancer (logistic)"]];
const BATCHES = [1, 2, 4, 8, 16];
const RATES = [0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2];
const WARMUPS = [[0, "none"], [0.5, "first ½ epoch"], [1, "first epoch"]];
const STYLE = {
  base: { color: "#1b2330", dash: "solid", width: 2.6, symbol: "circle" },
  // neutral hues: none of these runs is one of the race's three methods
  unscaled: { ...NEUTRAL.teal, dash: "dot", symbol: "star-open" },
  scaled: { ...NEUTRAL.purple, dash: "dash", width: 2.4, symbol: "diamond" },
  "warm-up": { ...NEUTRAL.grey, dash: "dashdot", symbol: "hexagon-open" },
};
const LIMIT = "#b42318";
const LINEAR = new Set(["synthetic", "diabetes"]); // squared loss: the Hessian is the same everywhere
const GREY = "#5b6472";

const nameOf = (r, d) => {
  if (r.rule === "base") return `base: B = ${r.batch_size}, η = ${fmt(r.lr, 3)}`;
  if (r.rule === "unscaled") return `${r.k}B, same η = ${fmt(r.lr, 3)}`;
  if (r.rule === "scaled") return `${r.k}B, ${r.k}η = ${fmt(r.lr, 3)}`;
  return `${r.k}B, ${r.k}η, warm-up ${d.warmup === 1 ? "1 epoch" : "½ epoch"}`;
};
// A missed target has two causes, kept apart: the run blew up, or it was still on its way
// when its examples ran out (k times fewer updates than the base).
const MISSED = { diverged: "diverged", budget: "not within the budget" };
const reach = (r) => (r.to_target > 0 ? `${fmt(r.to_target)} examples` : MISSED[r.outcome]);

/** Does run r's mean loss gap stay within ×h of the base's at every example count both
 *  runs passed (the shape the rule predicts, whether or not either reached the target)? */
function agrees(r, base, h) {
  let j = 0;
  for (let i = 1; i < r.examples.length; i++) {
    while (j < base.examples.length - 1 && base.examples[j] < r.examples[i]) j++;
    if (base.examples[j] !== r.examples[i]) continue;
    const ratio = r.gap[i] / base.gap[j];
    if (!(ratio >= 1 / h && ratio <= h)) return false;
  }
  return true;
}

export function mount(root, uid) {
  root.replaceChildren();
  const title = root.getAttribute("aria-label") || "Measured: the linear scaling rule";
  const state = { dataset: root.dataset.dataset || "synthetic", b: 4, lr: null, warmup: 0, k: 8 };
  const [dsL, dsS] = select(`${uid}-ds`, "dataset", DATASETS, state.dataset);
  const [bL, bS] = select(`${uid}-b`, "base batch B", BATCHES.map((b) => [b, String(b)]), state.b);
  const [lrL, lrS] = select(`${uid}-lr`, "base rate η", [], "");
  const [wL, wS] = select(`${uid}-w`, "warm-up (scaled runs)", WARMUPS, state.warmup);
  const [kL, kS] = select(`${uid}-k`, "factor k shown", [], "");
  const inputs = el("div", { class: "widget-inputs" });
  inputs.append(dsL, bL, lrL, wL, kL);
  const curves = el("div", { class: "measure-chart", role: "img", "aria-label": "Loss gap against examples seen for the base run and the chosen factor k" });
  const status = el("p", { class: "widget-note", "aria-live": "polite" }, "Measuring…");
  const summary = el("div", { class: "measure-chart", role: "img", "aria-label": "Examples to the target relative to the base run, for every factor k" });
  const out = el("div");
  const note = el("p", { class: "widget-note" });
  root.append(el("p", { class: "widget-title" }, title), inputs, curves, status, summary, out, note);
  let d = null, ctrl = null;

  const fillRates = (lr) => {
    const rates = RATES.includes(lr) ? RATES : [...RATES, lr].sort((a, b) => a - b);
    lrS.replaceChildren(...rates.map((r) => el("option", { value: String(r) }, fmt(r, 3))));
    lrS.value = String(lr);
  };

  const runsAt = (k) => d.runs.filter((r) => r.k === k);

  async function drawCurves() {
    const k = Number(kS.value), shown = [d.base, ...runsAt(k)];
    const low = Math.min(...shown.map((r) => Math.min(...Array.from(r.gap).filter((v) => v > 0))), d.target_gap);
    const top = d.start_gap * 6;
    const traces = shown.map((r) => ({
      x: Array.from(r.examples), y: Array.from(r.gap), mode: "lines", name: nameOf(r, d),
      line: { color: STYLE[r.rule].color, dash: STYLE[r.rule].dash, width: STYLE[r.rule].width },
      hovertemplate: `${nameOf(r, d)}<br>%{x} examples: J − J* = %{y:.3g}<extra></extra>`,
    }));
    const ends = shown.filter((r) => r.diverged);
    if (ends.length) traces.push({ x: ends.map((r) => r.examples.at(-1)), y: ends.map((r) => Math.min(r.gap.at(-1), top / 1.5)),
      mode: "markers+text", text: ends.map(() => "diverged"), textposition: "middle left", showlegend: false, hoverinfo: "skip",
      marker: { symbol: "x", size: 11, color: ends.map((r) => STYLE[r.rule].color) }, textfont: { color: LIMIT, size: 11 } });
    traces.push({ x: [0, d.n * d.epochs], y: [d.target_gap, d.target_gap], mode: "lines", name: "target", line: { color: GREY, dash: "dot", width: 1.2 }, hoverinfo: "skip" });
    const lay = layout("examples seen", "J − J*  (log)", {
      xaxis: { range: [0, d.n * d.epochs] },
      yaxis: { type: "log", exponentformat: "power", range: [Math.log10(low / 2), Math.log10(top)] },
    });
    lay.height = tall(curves, 300);
    await window.Plotly.react(curves, traces, lay, CONFIG);
    const [u, s, w] = ["unscaled", "scaled", "warm-up"].map((rule) => runsAt(k).find((r) => r.rule === rule));
    const lies = d.base_reaches_target ? s.holds : agrees(s, d.base, d.holds_within);
    status.textContent = (d.base_reaches_target
      ? `k = ${k}: examples until the target — base ${reach(d.base)}; ${k}B with η: ${reach(u)}; ` +
        `${k}B with ${k}η: ${reach(s)}${w ? `; with warm-up: ${reach(w)}` : ""}. `
      : `The base run itself does not reach the target in its ${d.epochs} epochs (it ends at J − J* = ${fmt(d.base.gap.at(-1), 3)}, ` +
        `from ${fmt(d.start_gap, 3)} at the start): η = ${fmt(d.lr, 3)} is too small for this budget, so no run is compared on examples to the target; compare the curves. `) +
      `The rule says the dashed curve should lie on the solid one; ${lies ? "here it does, within ×" + d.holds_within : "here it does not"}.`;
  }

  async function drawSummary() {
    const ks = Array.from(new Set(d.runs.map((r) => r.k)));
    const finite = d.runs.filter((r) => r.ratio > 0).map((r) => r.ratio);
    const never = Math.max(8, 2 * Math.max(1, ...finite)); // the "not within the budget" row
    const blown = never * 3; // the "diverged" row above it
    const yOf = (r) => (r.ratio > 0 ? r.ratio : r.outcome === "diverged" ? blown : never);
    const symbolOf = (r, rule) => (r.ratio > 0 ? STYLE[rule].symbol : r.outcome === "diverged" ? "x" : "hourglass");
    const rules = ["unscaled", "scaled", ...(d.warmup > 0 ? ["warm-up"] : [])];
    const traces = rules.map((rule) => {
      const rs = d.runs.filter((r) => r.rule === rule);
      return { x: rs.map((r) => r.k), y: rs.map(yOf), mode: "lines+markers",
        name: { unscaled: "kB, same η", scaled: "kB, kη (the rule)", "warm-up": "kB, kη + warm-up" }[rule],
        line: { color: STYLE[rule].color, dash: STYLE[rule].dash, width: 1.6 },
        marker: { symbol: rs.map((r) => symbolOf(r, rule)), size: rs.map((r) => (r.ratio > 0 ? 9 : 11)), color: STYLE[rule].color },
        hovertemplate: rs.map((r) => `k = ${r.k}, ${nameOf(r, d)}: ${r.ratio > 0 ? `${fmt(r.ratio, 3)} × the base's examples` : reach(r)}<extra></extra>`) };
    });
    for (const [outcome, symbol] of [["budget", "hourglass"], ["diverged", "x"]]) {
      if (d.runs.some((r) => r.outcome === outcome)) traces.push({ x: [null], y: [null], mode: "markers", name: MISSED[outcome],
        marker: { symbol, size: 10, color: GREY }, hoverinfo: "skip" });
    }
    const kMax = ks.at(-1), lim = d.k_limit;
    const shapes = [
      { type: "rect", xref: "paper", x0: 0, x1: 1, y0: 1 / d.holds_within, y1: d.holds_within, fillcolor: "rgba(51,65,85,0.07)", line: { width: 0 } },
      { type: "line", xref: "paper", x0: 0, x1: 1, y0: 1, y1: 1, line: { color: GREY, width: 1 } },
      { type: "line", x0: Number(kS.value), x1: Number(kS.value), yref: "paper", y0: 0, y1: 1, line: { color: "#c8ced8", width: 6 }, layer: "below" },
    ];
    const annotations = [];
    if (lim <= kMax * 1.5) {
      shapes.push({ type: "line", x0: lim, x1: lim, yref: "paper", y0: 0, y1: 1, line: { color: LIMIT, dash: "dash", width: 1.6 } });
      annotations.push({ x: Math.log10(lim), y: 1, yref: "paper", yanchor: "top", xanchor: "right", showarrow: false,
        text: sub(`kη = 2/λ_max (k ≈ ${fmt(lim, 3)})`), font: { size: 10, color: LIMIT }, bgcolor: "rgba(255,255,255,0.85)" });
    }
    const ticks = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64].filter((t) => t < never * 0.7);
    const lay = layout("factor k (batch kB; log)", "examples to target ÷ base run's", {
      xaxis: { type: "log", tickvals: ks, ticktext: ks.map(String), range: [Math.log10(ks[0] / 1.4), Math.log10(Math.max(kMax, lim < kMax * 1.5 ? lim : 0) * 1.4)] },
      yaxis: { type: "log", tickvals: [...ticks, never, blown], ticktext: [...ticks.map(String), "budget<br>out", "diverged"],
        range: [Math.log10(0.2), Math.log10(blown * 1.5)] },
    });
    Object.assign(lay, { height: Math.min(tall(summary, 290), 330), shapes, annotations });
    lay.margin = { ...lay.margin, l: 76 }; // room for the two "missed" rows' labels
    await window.Plotly.react(summary, traces, lay, CONFIG);
  }

  function describe() {
    const c = d.limit_check, fd = d.first_diverged;
    out.replaceChildren(richFacts([
      d.base_reaches_target
        ? [`rule holds (within ×${d.holds_within}) up to`, d.largest_holding > 1 ? `k = ${d.largest_holding}` : "no k"]
        : ["rule holds up to (no target: the base run misses it)", "—"],
      ["predicted break, kη > 2/λ_max", `k > ${fmt(d.k_limit, 3)}`],
      ["scaled runs below the limit that diverged", `${c.below_diverged} of ${c.below}`],
      ["beyond it, runs that failed", `${c.beyond_failed} of ${c.beyond}`],
    ]));
    const outOf = (rule) => d.runs.filter((r) => r.rule === rule && r.outcome === "budget").map((r) => r.k);
    const [uBudget, sBudget] = [outOf("unscaled"), outOf("scaled")];
    const capped = d.target_gap < d.above_floor * d.base.gap.at(-1) * (1 - 1e-9);
    note.replaceChildren(richText(`${datasetName(d.dataset)}, N = ${fmt(d.n)}, from the race's full-batch start; every run sees the same ${fmt(d.n * d.epochs)} examples ` +
      `(${d.epochs} epochs) and each curve is the mean of J − J* over the same ${d.seeds} shuffles. Target (dotted): ` +
      (capped ? `a tenth of the starting gap, J − J* = ${fmt(d.target_gap, 2)} (${d.above_floor}× the level where the base run ends, ` +
        `${fmt(d.above_floor * d.base.gap.at(-1), 2)}, would be ${d.above_floor * d.base.gap.at(-1) >= d.start_gap ? "above" : "barely below"} the start). `
        : `${d.above_floor}× the level where the base run ends, J − J* = ${fmt(d.target_gap, 2)}. `) +
      `First scaled run to diverge: ${fd ? `k = ${fd}` : "none"}. The prediction comes from the Hessian at the minimum: its largest curvature λ_max = ${fmt(d.lambda_max, 4)}, so gradient descent ` +
      `is stable only for a rate below 2/λ_max = ${fmt(d.lr_limit, 4)}; scaled runs below it should not diverge, runs beyond it should never reach the target. ` +
      "A run can miss the target in two ways, marked apart on the lower chart: it diverged (cross, top row), or it was still on its way when its examples ran out (hourglass, \"budget out\" row): " +
      `a batch k times larger makes k times fewer updates with the same examples. ` +
      (uBudget.length && d.base_reaches_target ? `The unscaled runs run out of budget from k = ${uBudget[0]} on (same η, too few updates), without diverging. ` : "") +
      (sBudget.length && d.base_reaches_target ? `Scaled runs out of budget without diverging: k = ${sBudget.join(", ")} (too few updates even with kη). ` : "") +
      `The shaded band is "the rule holds": within ×${d.holds_within} of the base's examples. ` +
      (d.warmup > 0 ? `Warm-up raises the rate linearly over the ${d.warmup === 1 ? "first epoch" : "first half epoch"}; ` +
        (d.first_diverged_warmup ? `it did not save k = ${d.first_diverged_warmup}` +
          (LINEAR.has(d.dataset) ? ": on a surface whose curvature is the same everywhere it can only delay a rate beyond the limit." : ".") :
          "no warmed-up run diverged.") : "")));
  }

  // data-drawn is "0" from a new measurement's request until it (the latest) is all drawn
  async function load() {
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const { signal } = ctrl;
    root.dataset.drawn = "0";
    status.textContent = "Measuring…";
    const q = new URLSearchParams({ dataset: state.dataset, b: String(state.b), warmup: String(state.warmup) });
    if (state.lr !== null) q.set("lr", String(state.lr));
    try {
      const got = await getTyped(`/api/dives/lr-scaling?${q}`, signal);
      await plotlyReady();
      if (signal.aborted) return; // a newer choice is being measured: its answer sets the rates
      d = got;
      state.lr = d.lr;
      fillRates(d.lr);
      const ks = Array.from(new Set(d.runs.map((r) => r.k)));
      if (!ks.includes(state.k)) state.k = ks[Math.min(2, ks.length - 1)];
      kS.replaceChildren(...ks.map((k) => el("option", { value: String(k) }, `${k} (B = ${k * d.b})`)));
      kS.value = String(state.k);
      await drawCurves();
      await drawSummary();
      describe();
      if (!signal.aborted) root.dataset.drawn = "1";
    } catch (err) {
      if (err.name === "AbortError") return;
      for (const chart of [curves, summary]) window.Plotly?.purge(chart);  // no stale run beside the message
      out.replaceChildren(); note.replaceChildren();
      status.textContent = `Could not measure: ${err.message}.`;
    }
  }

  dsS.addEventListener("change", () => { state.dataset = dsS.value; state.lr = null; load(); });
  bS.addEventListener("change", () => { state.b = Number(bS.value); load(); });
  lrS.addEventListener("change", () => { state.lr = Number(lrS.value); load(); });
  wS.addEventListener("change", () => { state.warmup = Number(wS.value); load(); });
  kS.addEventListener("change", async () => { state.k = Number(kS.value); if (d) { await drawCurves(); await drawSummary(); } });
  whenVisible(root, load);
}
