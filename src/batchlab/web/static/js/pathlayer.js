// The race's moving parts (travelled paths, current points, starts and the minimum) drawn on
// a canvas between plotly's plot and its hover labels. Each travelled path is kept on a
// canvas of its own and only extended while the playhead moves forward, so a frame costs
// the new segments, a few canvas copies and the markers, however long the paths already are.
import { LOOK } from "./look.js";
import { drawnBefore } from "./model.js";

const STAR = "#111827";

/** Line style of a method's travelled path: width, dash pattern and caps (dots are round
 *  dashes of zero length, as a dotted line should look). */
function stroke(look, on) {
  const width = on ? look.width + 1 : look.width, d = Math.max(width, 3);
  if (look.dash === "dot") return { width, dash: [0, 2.2 * width], cap: "round" };
  if (look.dash === "dash") return { width, dash: [3 * d, 3 * d], cap: "butt" };
  return { width, dash: [], cap: "round" };
}

function setStroke(ctx, look, style) {
  ctx.lineWidth = style.width; ctx.strokeStyle = look.color; ctx.lineJoin = "round";
  ctx.lineCap = style.cap; ctx.setLineDash(style.dash);
}

/** A closed marker outline of diameter ``size`` centred on (x, y). */
function symbolPath(ctx, symbol, x, y, size) {
  const r = size / 2;
  ctx.beginPath();
  if (symbol === "square") {
    ctx.rect(x - r, y - r, 2 * r, 2 * r);
  } else if (symbol === "triangle-up") {
    const h = r * 1.15; // a little larger than the circle: the same visual weight
    ctx.moveTo(x, y - h);
    ctx.lineTo(x + h * 0.866 * 1.15, y + h * 0.62);
    ctx.lineTo(x - h * 0.866 * 1.15, y + h * 0.62);
    ctx.closePath();
  } else if (symbol === "star") {
    for (let i = 0; i < 10; i++) { // outer points at 1.4 r, as plotly draws its star
      const a = -Math.PI / 2 + (i * Math.PI) / 5, rr = i % 2 ? r * 0.54 : r * 1.4;
      ctx[i ? "lineTo" : "moveTo"](x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

function marker(ctx, symbol, x, y, size, fill, open) {
  symbolPath(ctx, symbol, x, y, size);
  if (open) {
    ctx.lineWidth = 2; ctx.strokeStyle = fill; ctx.stroke();
  } else {
    ctx.fillStyle = fill; ctx.fill();
    ctx.lineWidth = 1.5; ctx.strokeStyle = "#fff"; ctx.stroke();
  }
}

/** One method's travelled path through its drawn points, on a canvas of its own: ``count``
 *  points drawn so far, ``length`` their polyline's length in px (where the dashes go on). */
class Trail {
  constructor() { this.canvas = document.createElement("canvas"); this.count = 0; this.length = 0; }

  /** Draw the path through drawn points 0 … count − 1, extending it when it only grew. */
  extend(m, count, look, style, view) {
    const c = this.canvas, ctx = c.getContext("2d"), d = m.drawn;
    if (c.width !== view.w || c.height !== view.h) { c.width = view.w; c.height = view.h; this.count = 0; }
    if (count < this.count || this.count === 0) {
      ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.clearRect(0, 0, c.width, c.height);
      this.count = 0; this.length = 0;
    }
    if (count - this.count < 1 || count < 2) return;
    ctx.save();
    view.frame(ctx);
    setStroke(ctx, look, style);
    ctx.lineDashOffset = this.length; // the dashes go on where the last piece stopped
    const from = Math.max(0, this.count - 1);
    let x = view.px(d.x[from]), y = view.py(d.y[from]);
    ctx.beginPath(); ctx.moveTo(x, y);
    for (let j = from + 1; j < count; j++) {
      const nx = view.px(d.x[j]), ny = view.py(d.y[j]);
      this.length += Math.hypot(nx - x, ny - y);
      ctx.lineTo(nx, ny); x = nx; y = ny;
    }
    ctx.stroke();
    ctx.restore();
    this.count = count;
  }
}

/** The canvas layer of one plotly figure. */
export class PathLayer {
  constructor(gd) {
    this.gd = gd; this.canvas = document.createElement("canvas");
    this.canvas.className = "path-layer";
    // over plotly's plot svg (positioned too), under its hover svg; hovering passes through
    this.canvas.style.cssText = "position: absolute; left: 0; top: 0; pointer-events: none;";
    this.canvas.setAttribute("aria-hidden", "true"); // the figure's label and table say it
    this.state = null; // {model, ks, selected}
    this.trails = []; this.style = ""; // one Trail per method, and what they were drawn for
    this.scratch = document.createElement("canvas"); // a path made whole before it is faded
    this.drawn = null; // what the last render drew: {ks, order} (tests read it)
  }

  /** Keep the canvas inside plotly's container, under its hover layer (a react may rebuild it). */
  attach() {
    const box = this.gd.querySelector(".svg-container");
    if (!box) return false;
    const svgs = box.querySelectorAll(":scope > svg.main-svg");
    const top = svgs.length > 1 ? svgs[svgs.length - 1] : null;
    if (this.canvas.parentNode !== box || this.canvas.nextSibling !== top) box.insertBefore(this.canvas, top);
    return true;
  }

  /** Draw each method at update ks[i], the selected one above the others. */
  draw(model, ks, selected) {
    this.state = { model, ks, selected };
    this.render();
  }

  /** Pixel mapping and clip of plotly's axes now, at the screen's pixel ratio. */
  view(f) {
    const dpr = window.devicePixelRatio || 1, xa = f.xaxis, ya = f.yaxis;
    return {
      w: Math.round(f.width * dpr), h: Math.round(f.height * dpr),
      px: (v) => xa._offset + xa.l2p(v), py: (v) => ya._offset + ya.l2p(v),
      frame(ctx) {
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.beginPath(); ctx.rect(xa._offset, ya._offset, xa._length, ya._length); ctx.clip();
      },
      key: [f.width, f.height, dpr, xa.range, ya.range, xa._length, ya._length].join(),
    };
  }

  render() {
    const f = this.gd._fullLayout;
    if (!this.state || !f || !f.xaxis || !this.attach()) return;
    const { model, ks, selected } = this.state, v = this.view(f), c = this.canvas;
    const style = `${v.key}|${selected}`;
    if (this.model !== model || this.style !== style) { // paths drawn for another view: redo
      this.model = model; this.style = style; this.trails = model.methods.map(() => new Trail());
    }
    if (c.width !== v.w || c.height !== v.h) { c.width = v.w; c.height = v.h; }
    const css = [`${f.width}px`, `${f.height}px`]; // also when only the pixel ratio changed
    if (c.style.width !== css[0] || c.style.height !== css[1]) [c.style.width, c.style.height] = css;
    const ctx = c.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.save();
    v.frame(ctx);
    // the others first, then the selected method; within each, paths under markers (a
    // stochastic cloud never hides another method's point) and a start under its current point
    const all = model.methods.map((m, i) => i), isOn = (i) => model.methods[i].key === selected;
    const groups = [all.filter((i) => !isOn(i)), all.filter(isOn)], order = groups.flat();
    for (const group of groups) {
      for (const i of group) {
        const m = model.methods[i], look = LOOK[m.key], on = isOn(i), k = ks[i];
        const s = stroke(look, on), count = drawnBefore(m, k), trail = this.trails[i];
        trail.extend(m, count, look, s, v);
        // the path so far plus its last piece (to the exact current point), made opaque on
        // a scratch canvas, then faded as one: no darker bead where the two overlap
        const sc = this.scratch, sx = sc.getContext("2d");
        if (sc.width !== v.w || sc.height !== v.h) { sc.width = v.w; sc.height = v.h; }
        sx.setTransform(1, 0, 0, 1, 0, 0); sx.clearRect(0, 0, sc.width, sc.height);
        sx.drawImage(trail.canvas, 0, 0);
        if (count > 0) {
          sx.save(); v.frame(sx); setStroke(sx, look, s);
          sx.lineDashOffset = trail.length;
          sx.beginPath();
          sx.moveTo(v.px(m.drawn.x[count - 1]), v.py(m.drawn.y[count - 1]));
          sx.lineTo(v.px(m.w[k]), v.py(m.b[k]));
          sx.stroke(); sx.restore();
        }
        ctx.globalAlpha = on ? 1 : 0.55;
        ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.drawImage(sc, 0, 0); ctx.restore();
      }
      ctx.globalAlpha = 1; ctx.setLineDash([]); ctx.lineDashOffset = 0;
      for (const i of group) {
        const m = model.methods[i], look = LOOK[m.key], k = ks[i];
        marker(ctx, look.symbol, v.px(m.w[0]), v.py(m.b[0]), 10, look.color, true);
        marker(ctx, look.symbol, v.px(m.w[k]), v.py(m.b[k]), 13, look.color, false);
      }
    }
    const min = model.raw.minimum;
    marker(ctx, "star", v.px(min.w), v.py(min.b), 17, STAR, false);
    ctx.restore();
    this.drawn = { ks: ks.slice(), order: order.map((i) => model.methods[i].key) };
  }
}
