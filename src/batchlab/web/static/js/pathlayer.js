// The race's moving parts (travelled paths, current points, starts and the minimum) drawn on
// a canvas between plotly's plot and its hover labels: a frame redraws only them (~1 ms),
// where a plotly restyle recalculated and redrew the contours and the full paths as well.
import { LOOK } from "./look.js";
import { prefix } from "./model.js";

const STAR = "#111827";

/** Canvas dash pattern for a plotly dash name, scaled by line width as plotly scales it. */
function dashOf(dash, width) {
  const d = Math.max(width, 3);
  return { solid: [], dot: [d, d], dash: [3 * d, 3 * d] }[dash] || [];
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
    for (let i = 0; i < 10; i++) {
      const a = -Math.PI / 2 + (i * Math.PI) / 5, rr = i % 2 ? r * 0.45 : r * 1.05;
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

/** The canvas layer of one plotly figure. */
export class PathLayer {
  constructor(gd) {
    this.gd = gd; this.canvas = document.createElement("canvas");
    this.canvas.className = "path-layer";
    // over plotly's plot svg (positioned too), under its hover svg; hovering passes through
    this.canvas.style.cssText = "position: absolute; left: 0; top: 0; pointer-events: none;";
    this.canvas.setAttribute("aria-hidden", "true"); // the figure's label and table say it
    this.state = null; // {model, ks, selected}
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

  render() {
    const f = this.gd._fullLayout;
    if (!this.state || !f || !f.xaxis || !this.attach()) return;
    const { model, ks, selected } = this.state;
    const dpr = window.devicePixelRatio || 1, c = this.canvas;
    const w = Math.round(f.width * dpr), h = Math.round(f.height * dpr);
    if (c.width !== w || c.height !== h) {
      c.width = w; c.height = h; c.style.width = `${f.width}px`; c.style.height = `${f.height}px`;
    }
    const ctx = c.getContext("2d"), xa = f.xaxis, ya = f.yaxis;
    const px = (v) => xa._offset + xa.l2p(v), py = (v) => ya._offset + ya.l2p(v);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, f.width, f.height);
    ctx.save();
    ctx.beginPath(); ctx.rect(xa._offset, ya._offset, xa._length, ya._length); ctx.clip();
    // the others first, then the selected method; within each, paths under markers (a
    // stochastic cloud never hides another method's point) and a start under its current point
    const all = model.methods.map((m, i) => i), isOn = (i) => model.methods[i].key === selected;
    const groups = [all.filter((i) => !isOn(i)), all.filter(isOn)], order = groups.flat();
    for (const group of groups) {
      for (const i of group) {
        const m = model.methods[i], look = LOOK[m.key], on = m.key === selected;
        const p = prefix(m, ks[i]), width = on ? look.width + 1 : look.width;
        ctx.globalAlpha = on ? 1 : 0.55;
        ctx.lineWidth = width; ctx.strokeStyle = look.color;
        ctx.lineJoin = "round"; ctx.lineCap = look.dash === "solid" ? "round" : "butt";
        ctx.setLineDash(dashOf(look.dash, width));
        ctx.beginPath();
        for (let j = 0; j < p.x.length; j++) ctx[j ? "lineTo" : "moveTo"](px(p.x[j]), py(p.y[j]));
        ctx.stroke();
      }
      ctx.globalAlpha = 1; ctx.setLineDash([]);
      for (const i of group) {
        const m = model.methods[i], look = LOOK[m.key], k = ks[i];
        marker(ctx, look.symbol, px(m.w[0]), py(m.b[0]), 10, look.color, true);
        marker(ctx, look.symbol, px(m.w[k]), py(m.b[k]), 13, look.color, false);
      }
    }
    const min = model.raw.minimum;
    marker(ctx, "star", px(min.w), py(min.b), 17, STAR, false);
    ctx.restore();
    this.drawn = { ks: ks.slice(), order: order.map((i) => model.methods[i].key) };
  }
}
