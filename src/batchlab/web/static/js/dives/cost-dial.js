// C1 cost-dial: a batch-size dial (1 … N in log steps) over the engine's measured costs
// (/api/dives/cost): examples per update, updates and examples per epoch counted in the
// timed plans, and the compiled SGD loop's measured time per update and per epoch.
import { CONFIG, el, getTyped, layout, plotlyReady, select, whenVisible } from "../measures.js";
import { NEUTRAL, fmt } from "../look.js";
import { DATASETS, nameOf } from "./common.js";

/** Seconds as people read them: 3 significant digits in ns, µs or ms. */
export function fmtTime(s) {
  if (!(s > 0)) return "—";
  const [v, unit] = s < 1e-6 ? [s * 1e9, "ns"] : s < 1e-3 ? [s * 1e6, "µs"] : [s * 1e3, "ms"];
  return `${Number(v.toPrecision(3))} ${unit}`;
}

/** A measured time next to a reference's: the median of the repeat-by-repeat ratios
 *  [q25, median, q75], or "about the same" where the middle half of those ratios holds 1
 *  (or the ratio rounds to 1): a smaller-looking number there would only be noise. */
export function ratioText([lo, mid, hi], ref) {
  if ((lo <= 1 && 1 <= hi) || fmt(mid, 2) === "1") return `about the same as ${ref} (within the timing noise)`;
  return `×${fmt(mid, 3)} the time of ${ref}`;
}

function regimeOf(b, n) {
  return b === n ? ["full", "Full batch"] : b === 1 ? ["stochastic", "Stochastic"] : ["mini", "Mini-batch"];
}

function readout(out, key, label) {
  const d = el("div"), dd = el("dd", { "data-out": key }), small = el("small", { class: "cd-sub" });
  d.append(el("dt", {}, label), dd, small);
  out.append(d);
  return { dd, small };
}

export function mount(root, uid) {
  const title = root.getAttribute("aria-label") || "The batch-size dial";
  let dataset = root.dataset.dataset || "synthetic";
  root.replaceChildren();

  const inputs = el("div", { class: "widget-inputs cd-inputs" });
  const [dsLabel, ds] = select(`${uid}-ds`, "Dataset", DATASETS, dataset);
  const dialLabel = el("label", { for: `${uid}-b`, class: "cd-dial" });
  const head = el("span", {}, "Batch size B ");
  const shown = el("output", { for: `${uid}-b`, class: "cd-b" }, "…");
  head.append(shown);
  dialLabel.append(head);
  const dial = el("input", { id: `${uid}-b`, type: "range", min: "0", max: "0", step: "1", value: "0", disabled: "" });
  dialLabel.append(dial);
  const presets = el("div", { class: "cd-presets", role: "group", "aria-label": "Preset batch sizes" });
  inputs.append(dsLabel, dialLabel, presets);

  const out = el("dl", { class: "widget-out cd-out", "aria-live": "polite" });
  const cells = {
    regime: readout(out, "regime", "regime"),
    perUpdate: readout(out, "examples-per-update", "examples per update"),
    updates: readout(out, "updates-per-epoch", "updates per epoch"),
    perEpoch: readout(out, "examples-per-epoch", "examples per epoch"),
    tUpdate: readout(out, "time-per-update", "time per update (measured)"),
    tEpoch: readout(out, "time-per-epoch", "time per epoch (measured)"),
  };
  const chart = el("div", { class: "measure-chart", role: "img",
    "aria-label": "Measured time per update and per epoch against the batch size, log–log" });
  const note = el("p", { class: "widget-note", "aria-live": "polite" }, "Measuring…");
  root.append(el("p", { class: "widget-title" }, title), inputs, out, chart, note);

  let d = null, k = 0;

  const traces = () => {
    const bs = Array.from(d.batch_sizes), ns = (a) => Array.from(a, (s) => s * 1e9);
    const f = d.fit, big = bs.filter((b) => b >= f.from_b);
    return [
      { x: bs, y: ns(d.seconds_per_epoch), mode: "lines+markers", name: "time per epoch",
        line: { color: NEUTRAL.slate.color, dash: NEUTRAL.slate.dash, width: 2 }, marker: { symbol: NEUTRAL.slate.symbol, size: 8, color: NEUTRAL.slate.color } },
      { x: bs, y: ns(d.seconds_per_update), mode: "lines+markers", name: "time per update",
        line: { color: NEUTRAL.purple.color, dash: NEUTRAL.purple.dash, width: 2 }, marker: { symbol: NEUTRAL.purple.symbol, size: 8, color: NEUTRAL.purple.color } },
      { x: big, y: big.map((b) => (f.intercept + f.slope * b) * 1e9), mode: "lines", name: `fit a + c·B (B ≥ ${f.from_b})`,
        line: { color: "#4a5565", dash: "dot", width: 2 } },
      { x: [bs[k], bs[k]], y: [d.seconds_per_epoch[k] * 1e9, d.seconds_per_update[k] * 1e9], mode: "markers", name: `B = ${fmt(bs[k])}`,
        marker: { symbol: "circle-open", size: 16, color: "#1b2330", line: { width: 2.5 } }, hoverinfo: "skip" },
    ];
  };

  const draw = () => {
    if (!d || !window.Plotly) return;
    const bs = d.batch_sizes;
    const lay = layout("batch size B (log scale)", "measured time (ns, log scale)", {
      xaxis: { type: "log", dtick: 1 }, yaxis: { type: "log", dtick: 1, tickformat: "~s" } });
    lay.height = chart.clientWidth < 500 ? 380 : 290;
    lay.margin = { ...lay.margin, t: 40 };
    lay.shapes = [{ type: "line", xref: "x", yref: "paper", x0: bs[k], x1: bs[k], y0: 0, y1: 1, line: { color: "#9aa3b2", width: 1, dash: "dash" } }];
    return window.Plotly.react(chart, traces(), lay, CONFIG);
  };

  const render = () => {
    if (!d) return;
    const n = d.n, b = d.batch_sizes[k], ups = d.updates_per_epoch[k], last = d.last_batch[k];
    const [key, name] = regimeOf(b, n);
    shown.textContent = `= ${fmt(b)}`;
    dial.value = String(k);
    dial.setAttribute("aria-valuetext", `B = ${b} (${name.toLowerCase()})`);
    presets.querySelectorAll("button").forEach((btn) => btn.setAttribute("aria-pressed", String(Number(btn.dataset.b) === b)));
    cells.regime.dd.textContent = name;
    cells.regime.dd.className = `cd-regime cd-${key}`;
    cells.regime.small.textContent = key === "mini" ? `B between 1 and N = ${fmt(n)}` : key === "full" ? "B = N" : "B = 1";
    cells.perUpdate.dd.textContent = fmt(b);
    cells.perUpdate.small.textContent = key === "full" ? "all of them: O(N)" : key === "stochastic" ? "one: O(1)" : "O(B)";
    cells.updates.dd.textContent = fmt(ups);
    cells.updates.small.textContent = last === b ? `⌈${fmt(n)}/${fmt(b)}⌉, all full` : `⌈${fmt(n)}/${fmt(b)}⌉, the last holds ${fmt(last)}`;
    cells.perEpoch.dd.textContent = fmt(d.examples_per_epoch[k]);
    cells.perEpoch.small.textContent = "= N, whatever B";
    cells.tUpdate.dd.textContent = fmtTime(d.seconds_per_update[k]);
    cells.tUpdate.small.textContent = k === 0 ? "the cheapest step: one example" : ratioText(d.update_ratio[k], "B = 1");
    cells.tEpoch.dd.textContent = fmtTime(d.seconds_per_epoch[k]);
    cells.tEpoch.small.textContent = b === n ? "one update is the whole epoch (the same timed runs)"
      : ratioText(d.epoch_ratio[k], "B = N");
    return draw();
  };

  const nearest = (b) => {
    let best = 0;
    d.batch_sizes.forEach((v, i) => { if (Math.abs(Math.log(v / b)) < Math.abs(Math.log(d.batch_sizes[best] / b))) best = i; });
    return best;
  };

  const summary = () => {
    const f = d.fit, n = d.n;
    return `Check: for B ≥ ${f.from_b} the time per update lies on a straight line a + c·B with ` +
      `c = ${fmtTime(f.slope)} per example and a = ${f.intercept > 0 ? fmtTime(f.intercept) : "about 0"} per update ` +
      `(R² = ${fmt(f.r2, 4)}; log–log slope ${fmt(f.loglog_slope, 3)}, where 1 means proportional to B). ` +
      (f.intercept > 0 ? "" : "At these large batches the fixed cost of an update is lost in the cost of its examples; below the fit's range, " +
        "at small B, it is what makes an update cost more than its examples alone. ") +
      `${d.counts_match ? `Counted in the timed plans: every epoch touches N = ${fmt(n)} examples in ⌈N/B⌉ updates, for every B. ` : ""}` +
      `Timed on this server, once per server process: the engine's compiled SGD loop on ${nameOf(d.dataset)}, ` +
      `${fmt(d.epochs)} epochs per run, median of ${d.repeats} runs (where B divides N, as at B = N, one set of runs gives both times). ` +
      "Ratios are taken run by run; where their middle half holds 1 the dial says “about the same”. " +
      "Timings differ from run to run and machine to machine; the shapes do not.";
  };

  const load = async () => {
    const keepB = d ? d.batch_sizes[k] : 32;
    note.textContent = "Measuring…";
    dial.disabled = true; ds.disabled = true;
    try {
      const [data] = await Promise.all([getTyped(`/api/dives/cost?dataset=${encodeURIComponent(dataset)}`), plotlyReady()]);
      d = data;
      k = nearest(Math.min(keepB, d.n));
      dial.max = String(d.batch_sizes.length - 1);
      presets.replaceChildren();
      for (const b of [1, ...d.presets.filter((p) => p < d.n), d.n]) {
        const btn = el("button", { type: "button", class: "btn cd-preset", "data-b": String(b), "aria-pressed": "false" },
          b === d.n ? `N = ${fmt(b)}` : String(b));
        btn.addEventListener("click", () => { k = nearest(b); render(); });
        presets.append(btn);
      }
      dial.disabled = false;
      const drawing = render();
      note.textContent = summary();
      await drawing; // the chart too, before the widget says it is drawn
      root.dataset.drawn = "1";
    } catch (err) {
      note.textContent = `Could not measure: ${err.message}.`;
    } finally {
      ds.disabled = false;
    }
  };

  dial.addEventListener("input", () => { k = Number(dial.value); render(); });
  ds.addEventListener("change", () => { dataset = ds.value; root.dataset.drawn = "0"; load(); });
  whenVisible(root, load);
}
