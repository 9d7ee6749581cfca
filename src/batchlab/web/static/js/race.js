// The landscape figure: contours, full paths and the minimum drawn by plotly once per scene
// (they carry the hover labels); the moving parts on a canvas layer redrawn per frame.
import { FONT, KEYS, LOOK, fmt } from "./look.js";
import { PathLayer } from "./pathlayer.js";

const P = () => window.Plotly;
// trace indices (0: the contours)
const FULLPATH = 1, MINIMUM = 4;
const MARGIN = { l: 56, r: 12, t: 8, b: 46 };

function contour(raw) {
  const L = raw.landscape, min = raw.minimum.loss;
  const z = L.loss.map((row) => row.map((v) => Math.sqrt(Math.max(v - min, 0))));
  const flat = z.flat().sort((a, b) => a - b);
  const top = flat[Math.floor(flat.length * 0.95)] || 1;
  return {
    type: "contour", x: L.w, y: L.b, z, hoverinfo: "skip", showscale: false,
    colorscale: [[0, "#ffffff"], [0.35, "#eef2f8"], [1, "#d5dce8"]],
    contours: { coloring: "fill", showlines: true, start: 0, end: top * 1.5, size: top / 12 },
    line: { color: "rgba(70, 82, 105, 0.35)", width: 0.8, smoothing: 0.6 },
  };
}

function fullPath(m) {
  const d = m.drawn, look = LOOK[m.key];
  const custom = Array.from(d.k, (k) => [k, k === 0 ? 0 : m.epoch[k] + 1, m.examples[k], m.loss[k]]);
  return {
    type: "scatter", mode: "lines", x: d.x, y: d.y, name: m.label, customdata: custom,
    line: { color: look.color, width: 1, dash: "solid" }, opacity: m.key === "stochastic" ? 0.16 : 0.3,
    hovertemplate: `<b>${m.label}</b><br>update %{customdata[0]:,} · epoch %{customdata[1]}` +
      "<br>examples seen %{customdata[2]:,}<br>J = %{customdata[3]:.5g}<extra></extra>",
  };
}

/** Draw order: the selected method's full path above the others' (its faint line over the
 *  stochastic cloud); the moving parts follow the same rule on the canvas layer. */
const LAYERS = KEYS.map((_, i) => FULLPATH + i);
const above = (trace, selected) => (KEYS[trace - FULLPATH] === selected ? 1 : 0);

/** The race figure bound to one element. */
export class Race {
  constructor(el, onHover) {
    this.el = el; this.onHover = onHover; this.model = null; this.selected = "mini";
    this.layer = new PathLayer(el);
  }

  /** Draw a new scene from scratch (contours, full paths, minimum), then the moving parts
   *  with each path at update ks[i] and the selected method on top. */
  async draw(model, selected, ks) {
    this.model = model; this.selected = selected; this.shown = ks.join();
    const raw = model.raw, ms = model.methods;
    // the star is drawn again on the canvas layer, above the paths; this one gives its hover
    const traces = [contour(raw), ...ms.map(fullPath),
      { type: "scatter", mode: "markers", x: [raw.minimum.w], y: [raw.minimum.b], name: "minimum", zorder: 2,
        marker: { symbol: "star", size: 17, color: "#111827", line: { color: "#fff", width: 1.5 } },
        hovertemplate: `<b>minimum</b><br>w = ${fmt(raw.minimum.w)}, b = ${fmt(raw.minimum.b)}` +
          `<br>J = ${fmt(raw.minimum.loss)}<extra></extra>` }];
    for (const t of LAYERS) traces[t].zorder = above(t, selected);
    const L = raw.landscape;
    this.fit();
    // one unit of w as long as one unit of b (the bowl of a linear model is round where its
    // curvature is): the axis with room to spare gives it up, the plot stays centred
    const layout = {
      margin: MARGIN, font: FONT, showlegend: false,
      hovermode: "closest", dragmode: false, plot_bgcolor: "#fff", paper_bgcolor: "#fff",
      xaxis: { title: { text: "w (weight)", standoff: 6 }, range: [L.w[0], L.w[L.w.length - 1]],
        showgrid: false, zeroline: false, ticks: "outside", fixedrange: true, constrain: "domain", automargin: true },
      yaxis: { title: { text: "b (bias)", standoff: 4 }, range: [L.b[0], L.b[L.b.length - 1]],
        showgrid: false, zeroline: false, ticks: "outside", fixedrange: true, automargin: true,
        scaleanchor: "x", scaleratio: 1, constrain: "domain" },
      hoverlabel: { bgcolor: "#fff", bordercolor: "#9aa4b2", font: { ...FONT, size: 12 } },
    };
    const config = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };
    await P().react(this.el, traces, layout, config);
    this.layer.draw(model, ks, selected);
    if (!this.bound) {
      this.bound = true;
      window.addEventListener("resize", async () => {
        if (this.model && this.fit()) await P().Plots.resize(this.el);
        this.layer.render();
      });
      // plotly redraws on its own too (responsive resizes): the layer follows its axes
      this.el.on("plotly_afterplot", () => this.layer.render());
      this.el.on("plotly_hover", (ev) => {
        const p = ev.points && ev.points[0];
        if (p && p.curveNumber >= FULLPATH && p.curveNumber < MINIMUM) {
          this.onHover(KEYS[p.curveNumber - FULLPATH], p.customdata[0]);
        }
      });
      this.el.on("plotly_unhover", () => this.onHover(null, null));
    }
  }

  /** Size the element so that its plot, at equal scale, fills the width: the box's height
   *  over its width times the plot's width, plus the margins, within the CSS min/max-height.
   *  True when the height changed. */
  fit() {
    const L = this.model.raw.landscape, el = this.el;
    const ratio = (L.b[L.b.length - 1] - L.b[0]) / (L.w[L.w.length - 1] - L.w[0]);
    const width = el.clientWidth - MARGIN.l - MARGIN.r;
    if (!(width > 0) || !(ratio > 0)) return false;
    const height = `${Math.round(width * ratio + MARGIN.t + MARGIN.b)}px`;
    if (el.style.height === height) return false;
    el.style.height = height;
    return true;
  }

  /** Move each path to its current update (a canvas redraw; plotly's traces stay). */
  update(ks) {
    if (!this.model || ks.join() === this.shown) return;  // already there (e.g. just drawn)
    this.shown = ks.join();
    this.layer.draw(this.model, ks, this.selected);
  }

  /** Emphasise the selected method: its full path above the others', its moving parts
   *  drawn last and wider; the others faded a little. */
  highlight(key) {
    this.selected = key;
    if (!this.model) return;
    P().restyle(this.el, { zorder: LAYERS.map((t) => above(t, key)) }, LAYERS);
    if (this.layer.state) this.layer.draw(this.model, this.layer.state.ks, key);
  }
}
