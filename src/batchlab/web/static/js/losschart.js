// Loss after each update against epochs: smooth, wavy, noisy. Drawn once; a line tracks time.
import { FONT, LOOK } from "./look.js";

const P = () => window.Plotly;
const BUCKETS = 1200;

function envelope(m, n, min) { // min and max per bucket: keeps the noise visible, bounded size
  const x = [], y = [], len = m.loss.length, per = Math.max(1, Math.floor(len / BUCKETS));
  const v = (i) => Math.max(m.loss[i] - min, 1e-9);
  for (let s = 0; s < len; s += per) {
    const e = Math.min(len, s + per);
    let lo = s, hi = s;
    for (let i = s; i < e; i++) { if (v(i) < v(lo)) lo = i; if (v(i) > v(hi)) hi = i; }
    for (const i of lo < hi ? [lo, hi] : hi < lo ? [hi, lo] : [lo]) { x.push(m.examples[i] / n); y.push(v(i)); }
  }
  return { x, y };
}

/** The small loss chart bound to one element. */
export class LossChart {
  constructor(el) { this.el = el; this.pos = -1; }

  async draw(model) {
    const n = model.n, min = model.raw.minimum.loss;
    const traces = model.methods.slice().reverse().map((m) => { // stochastic underneath
      const d = envelope(m, n, min), look = LOOK[m.key];
      return { type: "scatter", mode: "lines", name: m.label, x: d.x, y: d.y,
        // a staircase: the loss holds from one update to the next, it does not slide between them
        line: { color: look.color, dash: look.dash, width: m.key === "full" ? 2.6 : m.key === "mini" ? 1.8 : 1, shape: "hv" },
        opacity: m.key === "stochastic" ? 0.75 : 1,
        hovertemplate: `${m.label}<br>epoch %{x:.2f}<br>J − J* = %{y:.3g}<extra></extra>` };
    });
    const layout = {
      margin: { l: 52, r: 10, t: 6, b: 40 }, font: { ...FONT, size: 12 }, dragmode: false,
      // automargin: the margins grow to hold the tick labels and the titles, never under them
      xaxis: { title: { text: "epochs", standoff: 4 }, range: [0, model.maxExamples / n], fixedrange: true, zeroline: false, automargin: true },
      yaxis: { type: "log", title: { text: "J − J*", standoff: 8 }, fixedrange: true, exponentformat: "power", automargin: true },
      legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0, font: { size: 11 } }, showlegend: false,
      shapes: [this.shape(0)], plot_bgcolor: "#fff", paper_bgcolor: "#fff",
    };
    await P().react(this.el, traces, layout, { displayModeBar: false, responsive: true });
    this.pos = 0;
  }

  shape(x) {
    return { type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
      line: { color: "#1b2330", width: 1.2, dash: "dot" } };
  }

  /** Move the time line to an epoch position. */
  at(epochs) {
    if (Math.abs(epochs - this.pos) < 1e-9) return;
    this.pos = epochs;
    P().relayout(this.el, { shapes: [this.shape(epochs)] });
  }
}
